using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>
/// <c>downloadFile</c> (spec 1.7): <c>filename</c> names an uploaded file. Alone in its request it is answered with the
/// file's bytes, not the envelope: this handler finds the file and the host's /api endpoint writes it (fields
/// <see cref="ContentHashField"/> and <c>filename</c>). A missing file answers 404 <c>File not found.</c>.
/// </summary>
public sealed class DownloadFile(ContentDirectory content) : ISoleAppAction
{
    public const string ActionName = "downloadFile";

    /// <summary>The field of a successful answer that names the blob to send.</summary>
    public const string ContentHashField = "contentHash";

    public const string NotFound = "File not found.";

    public string Name => ActionName;

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ISoleAppAction.NotAlone(ActionName));

    public ValueTask<ActionResult> HandleAloneAsync(AppEntry app, ParameterSet parameters, ApiRequest request, CancellationToken cancellationToken)
    {
        var filename = parameters.RequiredString("filename");
        if (content.For(app.AppId).Files.Find(filename) is not { } file)
            return ValueTask.FromResult(ActionResult.Fail(404, NotFound));
        var fields = new JsonObject
        {
            ["filename"] = file.Filename,
            [ContentHashField] = file.ContentHash,
            ["size"] = file.Size,
        };
        if (request.BaseUrl is { } baseUrl)
            fields["url"] = FileUrls.Download(baseUrl, app.AppId, file);
        return ValueTask.FromResult(ActionResult.Ok(fields));
    }
}
