using System.Text.Json.Nodes;
using Greengage.Engine.Messages;

namespace Greengage.Engine.Tests.Messages;

/// <summary>
/// The template catalogue (the arguments Leanplum's SDKs' built-in templates read, and the server channels' own) and
/// the check of a message's values against it.
/// </summary>
public sealed class MessageTemplatesTests
{
    private static readonly TemplateCheck Draft = new(null, null, Complete: false);
    private static readonly TemplateCheck Active = new(null, null, Complete: true);

    private static TemplateDefinition Template(string name) => MessageTemplates.Find(name, null) ?? throw new InvalidOperationException(name);

    private static void Accepts(string template, string values, TemplateCheck? check = null) =>
        TemplateValues.Check(Template(template), (JsonObject)JsonNode.Parse(values)!, check ?? Draft);

    private static string Refuses(string template, string values, TemplateCheck? check = null) =>
        Assert.Throws<TemplateException>(() => Accepts(template, values, check)).Message;

    [Theory]
    [InlineData("Alert", "Title:string|Message:string|Dismiss text:string|Dismiss action:action")]
    [InlineData("Confirm", "Title:string|Message:string|Accept text:string|Cancel text:string|Accept action:action|Cancel action:action")]
    [InlineData("Center Popup", "Title.Text:string|Title.Color:color|Message.Text:string|Message.Color:color|Background image:file|Background color:color|Accept button.Text:string|Accept button.Background color:color|Accept button.Text color:color|Accept action:action|Layout.Width:integer|Layout.Height:integer")]
    [InlineData("Interstitial", "Title.Text:string|Title.Color:color|Message.Text:string|Message.Color:color|Background image:file|Background color:color|Accept button.Text:string|Accept button.Background color:color|Accept button.Text color:color|Accept action:action")]
    [InlineData("Push Ask to Ask", "Title.Text:string|Title.Color:color|Message.Text:string|Message.Color:color|Background image:file|Background color:color|Accept button.Text:string|Accept button.Background color:color|Accept button.Text color:color|Cancel action:action|Cancel button.Text:string|Cancel button.Background color:color|Cancel button.Text color:color|Layout.Width:integer|Layout.Height:integer")]
    [InlineData("Web Interstitial", "URL:string|Close URL:string|Has dismiss button:bool")]
    [InlineData("HTML", "__file__Template:file|Close URL:string|Open URL:string|Track URL:string|Action URL:string|Track Action URL:string|HTML Align:string|HTML Height:integer|HTML Width:string|HTML Y Offset:string|Tap Outside to Close:bool|Has dismiss button:bool|Dismiss action:action")]
    [InlineData("Open URL", "URL:string")]
    [InlineData("Register For Push", "")]
    [InlineData("Request App Rating", "")]
    [InlineData("Chain to Existing Message", "Chained message:string")]
    [InlineData("__Push Notification", "Message:string|Title:string|Image URL:string|Open action:action|Advanced options.Data:group|Advanced options.Mute inside app:bool|Android options.Collapse key:string|Android options.Delay while idle:bool|Android options.Notification channel:string|iOS options.Sound:string|iOS options.Badge:string|iOS options.Category:string|iOS options.Preload content:bool")]
    [InlineData("__Newsfeed Message", "Title:string|Subtitle:string|Image:string|Data:group|Open action:action")]
    [InlineData("Webhook", "URL:string|Method:string|Headers:group|Body:string")]
    [InlineData("Email", "Subject:string|From name:string|From address:string|Reply-to address:string|HTML body:string|Text body:string")]
    public void Catalogue_EachBuiltInTemplate_HasTheArgumentsItsSdkTemplatesRead(string name, string arguments) =>
        Assert.Equal(arguments, string.Join("|", Template(name).Kinds.Select(k => $"{k.Key}:{k.Value}")));

    [Fact]
    public void Defaults_AreNestedByGroup_ColoursAreArgbInts_AndOnlyWhatBothSdksAgreeOn()
    {
        var popup = Template("Center Popup").Defaults;

        Assert.Equal(
            """{"Title":{"Color":-16777216},"Message":{"Text":"Popup message goes here.","Color":-16777216},"Accept button":{"Text":"OK"},"Layout":{"Width":300,"Height":250}}""",
            popup.ToJsonString());
        // A title defaults to the app's name on the device, so the server sends none; so for the disputed colours.
        Assert.Null(popup["Title"]!["Text"]);
        Assert.Null(popup["Background color"]);
        Assert.Equal("""{"Message":"Confirmation message goes here.","Accept text":"Yes","Cancel text":"No"}""", Template("Confirm").Defaults.ToJsonString());
        Assert.Equal("""{"Message":"Alert message goes here.","Dismiss text":"OK"}""", Template("Alert").Defaults.ToJsonString());
        Assert.Equal("""{"URL":"http://www.example.com","Close URL":"http://leanplum/close","Has dismiss button":true}""", Template("Web Interstitial").Defaults.ToJsonString());
        Assert.Equal("http://leanplum/runTrackedAction", (string?)Template("HTML").Defaults["Track Action URL"]);
        Assert.Equal("Top", (string?)Template("HTML").Defaults["HTML Align"]);
        Assert.Equal(0, (int)Template("HTML").Defaults["HTML Height"]!);
        Assert.Equal("Tap OK to receive important notifications from our app.", (string?)Template("Push Ask to Ask").Defaults["Message"]!["Text"]);
        Assert.Equal("Maybe Later", (string?)Template("Push Ask to Ask").Defaults["Cancel button"]!["Text"]);
    }

    [Fact]
    public void Vars_MergeTheMessagesValuesOverTheDefaults_GroupByGroup_AndNameTheTemplate()
    {
        var values = (JsonObject)JsonNode.Parse("""{"Title":{"Text":"Hi"},"Message":{"Color":-1},"Accept action":{"__name__":"Open URL","URL":"https://x"}}""")!;

        var vars = MessageTemplates.Vars(Template("Center Popup"), values);

        Assert.Equal("Hi", (string?)vars["Title"]!["Text"]);
        Assert.Equal(MessageTemplates.Black, (int)vars["Title"]!["Color"]!);
        Assert.Equal("Popup message goes here.", (string?)vars["Message"]!["Text"]);
        Assert.Equal(-1, (int)vars["Message"]!["Color"]!);
        Assert.Equal("""{"__name__":"Open URL","URL":"https://x"}""", vars["Accept action"]!.ToJsonString());
        Assert.Equal("Center Popup", (string?)vars["__name__"]);
    }

    [Fact]
    public void DefaultFor_EachServerChannel_NamesItsOneTemplate()
    {
        Assert.Equal("__Push Notification", MessageTemplates.DefaultFor(MessageChannels.Push));
        Assert.Equal("__Newsfeed Message", MessageTemplates.DefaultFor(MessageChannels.Inbox));
        Assert.Equal("Webhook", MessageTemplates.DefaultFor(MessageChannels.Webhook));
        Assert.Equal("Email", MessageTemplates.DefaultFor(MessageChannels.Email));
        Assert.Null(MessageTemplates.DefaultFor(MessageChannels.InApp));
    }

    [Fact]
    public void Find_AnAppDeclaredTemplate_IsCustomWithItsDeclaredDefaultsAndKinds()
    {
        var declared = (JsonObject)JsonNode.Parse("""{"Rate":{"kind":3,"values":{"Stars":5,"Thanks":{"Text":"Thank you"}},"kinds":{"Stars":"integer","Thanks.Text":"string"}}}""")!;

        var rate = MessageTemplates.Find("Rate", declared)!;

        Assert.True(rate.Custom);
        Assert.Equal("integer", rate.Kinds["Stars"]);
        Assert.Equal("Thank you", (string?)rate.Defaults["Thanks"]!["Text"]);
        Assert.Null(MessageTemplates.Find("Nope", declared));
        // A built-in name wins over a declaration of the same name.
        Assert.False(MessageTemplates.Find("Alert", (JsonObject)JsonNode.Parse("""{"Alert":{"values":{}}}""")!)!.Custom);
    }

    [Theory]
    [InlineData("Alert", """{"Title":"Hi","Message":"Hello {{userAttribute['Name']}}","Dismiss text":"OK","Dismiss action":null}""")]
    [InlineData("Confirm", """{"Accept action":{"__name__":"Open URL","URL":"myapp://offers"},"Cancel action":{"__name__":"Alert","Message":"Maybe later"}}""")]
    [InlineData("Center Popup", """{"Title":{"Text":"Hi","Color":-16777216},"Message":{"Color":4278190080},"Background image":"images/bg.png","Layout":{"Width":320.0}}""")]
    [InlineData("Center Popup", """{"Background image":null,"Accept button":{"Background color":-1,"Text color":-16745729}}""")]
    [InlineData("Web Interstitial", """{"URL":"https://example.com/promo","Has dismiss button":false}""")]
    [InlineData("HTML", """{"__file__Template":"banner.html","HTML Width":"100%","HTML Y Offset":"10px","HTML Align":"Bottom","Tap Outside to Close":true,"Headline":"Own arguments of the template","Accept action":{"__name__":"Open URL","URL":"https://x"}}""")]
    [InlineData("__Push Notification", """{"Message":"Hi","Title":"News","Image URL":"https://cdn/x.png","Open action":{"__name__":"Open URL","URL":"myapp://inbox"},"Advanced options":{"Data":{"k":"v","n":1},"Mute inside app":true},"iOS options":{"Badge":"3","Sound":"ping.caf"},"Android options":{"Notification channel":"news"}}""")]
    [InlineData("__Newsfeed Message", """{"Title":"T","Subtitle":"S","Image":"https://cdn/i.png","Data":{"any":["thing"]},"Open action":null}""")]
    [InlineData("Webhook", """{"URL":"https://hooks.example.com/{{userId}}","Method":"PUT","Headers":{"X-Key":"abc"},"Body":"{\"user\":\"{{userId}}\"}"}""")]
    [InlineData("Email", """{"Subject":"Hi","From name":"Shop","From address":"shop@example.com","HTML body":"<p>Hi</p>"}""")]
    public void Check_ValuesThatFitTheTemplate_AreAccepted(string template, string values) => Accepts(template, values);

    [Theory]
    [InlineData("Alert", """{"Titel":"Hi"}""", "The 'Alert' template has no argument 'Titel'; it has 'Title', 'Message', 'Dismiss text', 'Dismiss action'.")]
    [InlineData("Register For Push", """{"Title":"Hi"}""", "The 'Register For Push' template takes no arguments, not 'Title'.")]
    [InlineData("Center Popup", """{"Title":"Hi"}""", "'Title' is a group of 'Text', 'Color': give an object.")]
    [InlineData("Center Popup", """{"Title":{"Font":"x"}}""", "The 'Center Popup' template has no argument 'Title.Font'; it has 'Text', 'Color'.")]
    [InlineData("Center Popup", """{"Title":{"Color":"#000000"}}""", "'Title.Color' is a colour: give it as an ARGB integer")]
    [InlineData("Center Popup", """{"Title":{"Color":1.5}}""", "'Title.Color' is a colour")]
    [InlineData("Center Popup", """{"Title":{"Color":4294967296}}""", "'Title.Color' is a colour")]
    [InlineData("Center Popup", """{"Layout":{"Width":"300"}}""", "'Layout.Width' is a whole number.")]
    [InlineData("Center Popup", """{"Layout":{"Width":300.5}}""", "'Layout.Width' is a whole number.")]
    [InlineData("Center Popup", """{"Background image":42}""", "'Background image' is a file")]
    [InlineData("Alert", """{"Message":7}""", "'Message' is text: give a string.")]
    [InlineData("Alert", """{"Message":null}""", "'Message' is text")]
    [InlineData("Web Interstitial", """{"Has dismiss button":"yes"}""", "'Has dismiss button' is true or false.")]
    [InlineData("Alert", """{"Dismiss action":"Open URL"}""", "'Dismiss action' is an action: give an object naming its template in '__name__'")]
    [InlineData("Alert", """{"Dismiss action":{"URL":"https://x"}}""", "'Dismiss action' names its template in '__name__' (text).")]
    [InlineData("Alert", """{"Dismiss action":{"__name__":"Open URL","Link":"https://x"}}""", "'Dismiss action' (Open URL): the 'Open URL' template has no argument 'Link'; it has 'URL'.")]
    [InlineData("Confirm", """{"Accept action":{"__name__":"Confirm","Accept action":{"__name__":"Alert","Message":false}}}""", "'Accept action' (Confirm): 'Accept action' (Alert): 'Message' is text")]
    [InlineData("Alert", """{"Dismiss action":{"__name__":"__Push Notification"}}""", "runs '__Push Notification', which is not an action a message can run.")]
    [InlineData("Alert", """{"Dismiss action":{"__name__":"Webhook","URL":"https://x"}}""", "runs 'Webhook', which is not an action")]
    [InlineData("HTML", """{"HTML Align":"Middle"}""", "'HTML Align' is one of Top, Bottom, not 'Middle'.")]
    [InlineData("HTML", """{"HTML Width":"100"}""", "'HTML Width' is a whole number followed by px or %, not '100'.")]
    [InlineData("HTML", """{"HTML Height":"50%"}""", "'HTML Height' is a whole number.")]
    [InlineData("HTML", """{"Own":{"Deep":{"__name__":"Open URL","Bad":1}}}""", "the 'Open URL' template has no argument 'Bad'")]
    [InlineData("__Push Notification", """{"Advanced options":{"Mute inside app":1}}""", "'Advanced options.Mute inside app' is true or false.")]
    [InlineData("__Push Notification", """{"Advanced options":{"Data":"k=v"}}""", "'Advanced options.Data' is an object.")]
    [InlineData("__Push Notification", """{"iOS options":{"Badge":"three"}}""", "'iOS options.Badge' is a whole number (as text), not 'three'.")]
    [InlineData("__Push Notification", """{"Image":"x"}""", "The '__Push Notification' template has no argument 'Image'")]
    [InlineData("__Newsfeed Message", """{"Data":[1]}""", "'Data' is an object.")]
    [InlineData("Webhook", """{"URL":"ftp://example.com/x"}""", "'URL' is an absolute http or https URL, not 'ftp://example.com/x'.")]
    [InlineData("Webhook", """{"URL":"/relative"}""", "'URL' is an absolute http or https URL")]
    [InlineData("Webhook", """{"Method":"post"}""", "'Method' is one of GET, POST, PUT, PATCH, DELETE, not 'post'.")]
    [InlineData("Webhook", """{"Headers":{"X-Count":3}}""", "'Headers': the value of 'X-Count' is text.")]
    [InlineData("Email", """{"From address":"shop.example.com"}""", "'From address' is an e-mail address, not 'shop.example.com'.")]
    [InlineData("Email", """{"Reply-to address":"a@b@c"}""", "'Reply-to address' is an e-mail address")]
    [InlineData("Chain to Existing Message", """{"Chained message":"abc"}""", "'Chained message' is a message id, not 'abc'.")]
    public void Check_ValuesThatDoNotFit_AreRefusedSayingWhy(string template, string values, string reason) =>
        Assert.Contains(reason, Refuses(template, values), StringComparison.Ordinal);

    [Theory]
    [InlineData("HTML", "{}", "An active 'HTML' message needs '__file__Template'.")]
    [InlineData("Open URL", """{"URL":" "}""", "An active 'Open URL' message needs 'URL'.")]
    [InlineData("Webhook", """{"Method":"GET"}""", "An active 'Webhook' message needs 'URL'.")]
    [InlineData("Email", """{"HTML body":"<p>x</p>"}""", "An active 'Email' message needs 'Subject'.")]
    [InlineData("Email", """{"Subject":"Hi"}""", "An active 'Email' message needs 'HTML body' or 'Text body'.")]
    [InlineData("Chain to Existing Message", "{}", "An active 'Chain to Existing Message' message needs 'Chained message'.")]
    [InlineData("Alert", """{"Dismiss action":{"__name__":"Open URL","URL":""}}""", "'Dismiss action' (Open URL): an active 'Open URL' message needs 'URL'.")]
    public void Check_ActiveMessage_MustGiveRequiredArguments_ADraftNeedNot(string template, string values, string reason)
    {
        Accepts(template, values, Draft);
        Assert.Contains(reason, Refuses(template, values, Active), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RequiredArgumentWithADefault_IsSatisfiedByTheDefault() =>
        Accepts("Web Interstitial", "{}", Active);

    [Fact]
    public void Check_ChainTarget_IsAskedAboutEveryChainedMessage()
    {
        var asked = new List<string>();
        var check = new TemplateCheck(null, id => { asked.Add(id); return id == "404" ? "there is no message 404 to chain to." : null; }, Complete: true);

        Accepts("Confirm", """{"Accept action":{"__name__":"Chain to Existing Message","Chained message":"12"}}""", check);
        var refused = Refuses("Confirm", """{"Cancel action":{"__name__":"Chain to Existing Message","Chained message":"404"}}""", check);

        Assert.Equal(["12", "404"], asked);
        Assert.Equal("'Cancel action' (Chain to Existing Message): 'Chained message': there is no message 404 to chain to.", refused);
        Assert.Equal(["12", "7"], TemplateValues.ChainTargets(JsonNode.Parse("""{"A":{"__name__":"Chain to Existing Message","Chained message":"12"},"B":{"__name__":"Confirm","Accept action":{"__name__":"Chain to Existing Message","Chained message":"7"}}}""")));
    }

    [Fact]
    public void Check_AppDeclaredAction_IsAcceptedAsDeclared_AndItsOwnActionsAreChecked()
    {
        var declared = (JsonObject)JsonNode.Parse("""{"Rate":{"values":{"Stars":5},"kinds":{"Stars":"integer"}}}""")!;
        var check = new TemplateCheck(declared, null, Complete: true);

        Accepts("Alert", """{"Dismiss action":{"__name__":"Rate","Stars":"lots","Extra":1}}""", check);
        Accepts("Alert", """{"Dismiss action":{"__name__":"Defined in code only","Anything":[1,2]}}""", check);
        Assert.Contains("'Open URL' template has no argument 'X'",
            Refuses("Alert", """{"Dismiss action":{"__name__":"Rate","Then":{"__name__":"Open URL","X":1}}}""", check), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ActionsNestedTooDeep_AreRefused()
    {
        var values = new JsonObject();
        var inner = values;
        for (var i = 0; i < TemplateValues.MaxActionDepth + 2; i++)
        {
            var next = new JsonObject { ["__name__"] = "Alert" };
            inner["Dismiss action"] = next;
            inner = next;
        }

        var e = Assert.Throws<TemplateException>(() => TemplateValues.Check(Template("Alert"), values, Draft));
        Assert.Contains($"actions nest at most {TemplateValues.MaxActionDepth} deep", e.Message, StringComparison.Ordinal);
    }
}
