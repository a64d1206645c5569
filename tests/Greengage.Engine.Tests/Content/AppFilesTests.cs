using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Tests.Content;

/// <summary>The file table: its stored shape (frozen: documents outlive code) and how fileAttributes are merged.</summary>
public sealed class AppFilesTests
{
    private static readonly StoredFile Logo = new("images/logo.png", "md5ish", 13, new string('a', 64), 1700000000000);

    [Fact]
    public void StoredFile_Document_HasTheFrozenShape_AndReadsBack()
    {
        var document = Logo.ToDocument();

        Assert.Equal(("file", "images/logo.png"), (document.Kind, document.Key));
        Assert.Equal($$"""{"hash":"md5ish","size":13,"contentHash":"{{new string('a', 64)}}","uploadedMs":1700000000000}""", Encoding.UTF8.GetString(document.Body));
        Assert.Equal(Logo, StoredFile.FromDocument(document));
    }

    [Fact]
    public void AppContent_Build_ReadsFileDocuments_BesideVariables()
    {
        var content = AppContent.Build([Logo.ToDocument(), new ContentDocument(ContentKinds.LiveVariable, "logo", Encoding.UTF8.GetBytes("\"images/logo.png\""), 1)]);

        Assert.Equal(Logo, content.Files.Find("images/logo.png"));
        Assert.Null(content.Files.Find("other.png"));
        Assert.Equal("images/logo.png", (string?)content.Live["logo"]);
    }

    [Fact]
    public void MergeAttributes_UploadedDefaultVariationWins_OtherVariationsAndFilesStay()
    {
        var files = AppFiles.Build([Logo.ToDocument()]);
        var declared = JsonNode.Parse("""{"images/logo.png":{"_empty_":{"hash":"old","size":1},"hdpi":{"hash":"h","size":2}},"a.txt":{"_empty_":{"hash":"x","size":3}}}""")!.AsObject();

        var merged = files.MergeAttributes(declared);

        Assert.Equal("""{"images/logo.png":{"_empty_":{"hash":"md5ish","size":13},"hdpi":{"hash":"h","size":2}},"a.txt":{"_empty_":{"hash":"x","size":3}}}""", merged.ToJsonString());
        Assert.Equal("old", (string?)declared["images/logo.png"]!["_empty_"]!["hash"]);
        Assert.Equal("""{"images/logo.png":{"_empty_":{"hash":"md5ish","size":13}}}""", files.MergeAttributes(null).ToJsonString());
    }
}
