namespace Greengage.Engine.Content;

/// <summary>Limits on uploaded files (configuration section <c>Greengage:Files</c>; spec 1.7: 16 files, 50 MB per call).</summary>
public sealed class FileLimits
{
    /// <summary>Most files in one <c>uploadFile</c> call.</summary>
    public int MaxFilesPerUpload { get; set; } = 16;

    /// <summary>Most bytes of files in one <c>uploadFile</c> call (the multipart body may exceed the body limit by this much).</summary>
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Longest file name (Android and iOS send resource paths such as <c>images/banner.png</c>).</summary>
    public int MaxFilenameLength { get; set; } = 1024;

    /// <summary>What is wrong with the limits, if anything.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxFilesPerUpload < 1)
            yield return "Greengage:Files:MaxFilesPerUpload must be at least 1.";
        if (MaxUploadBytes < 1)
            yield return "Greengage:Files:MaxUploadBytes must be at least 1.";
        if (MaxFilenameLength < 1)
            yield return "Greengage:Files:MaxFilenameLength must be at least 1.";
    }
}
