using Greengage.Engine.Content;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions;

public sealed partial class ApiDispatcher
{
    private static readonly RawJson NoFiles = RawJson.FromUtf8("{}"u8.ToArray());

    /// <summary>
    /// The file fields of content answers (spec 5.2), added once every item ran, outside the user's grain (the URLs
    /// need the request's base URL, and the file table lives in the app's snapshot): <c>start</c> and <c>getVars</c> get
    /// <c>files</c> (every uploaded file's direct URL; their <c>fileAttributes</c> come with the snapshot's variables
    /// view); in development mode also <c>uploadUrl</c>, which every <c>uploadFile</c> answer carries too
    /// (iOS uploads to the last one it got).
    /// </summary>
    private static void AnswerFiles(ContentDirectory content, ApiRequest request, Route[] routes, ActionResult[] results)
    {
        if (request.BaseUrl is not { } baseUrl)
            return;
        foreach (var item in request.Items)
        {
            // The routes name the actions already: reading each item's action again cost a string per item.
            if (results[item.Index] is not { Success: true } result || routes[item.Index] is not { Info.Name: var action, App.AppId: var appId })
                continue;
            switch (action)
            {
                case "start" or User.GetVars.ActionName when result.Fields is not null:
                    var files = content.For(appId).Files;
                    if (files.ByName.Count == 0)
                    {
                        result.With("files", NoFiles.Node());
                    }
                    else
                    {
                        var urls = new System.Text.Json.Nodes.JsonObject();
                        foreach (var file in files.ByName.Values.OrderBy(f => f.Filename, StringComparer.Ordinal))
                            urls[file.Filename] = FileUrls.Download(baseUrl, appId, file);
                        result.With("files", urls);
                    }
                    if (item.Parameters.Flag(WireNames.DevMode))
                        result.With("uploadUrl", FileUrls.Upload(baseUrl));
                    break;
                case App.UploadFile.ActionName:
                    result.With("uploadUrl", FileUrls.Upload(baseUrl));
                    break;
            }
        }
    }
}
