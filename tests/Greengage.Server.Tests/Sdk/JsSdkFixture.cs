using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;

namespace Greengage.Server.Tests.Sdk;

/// <summary>What one run of tests/js-sdk/harness.mjs did: its exit code, its one JSON line, and its output.</summary>
public sealed record HarnessRun(int ExitCode, JsonObject? Result, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"harness exit code {ExitCode} after {Elapsed.TotalSeconds:0.00} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// Once per test class: the real Leanplum JS SDK installed from tests/js-sdk/package-lock.json (<c>npm ci</c> when
/// node_modules lacks it), a real server process on a fresh data directory, and an app created through the admin API.
/// </summary>
public sealed class JsSdkFixture : IAsyncLifetime
{
    public const string AdminToken = "js-sdk-tests-admin-token-0123456789";
    public const string SdkVersion = "1.9.0";

    /// <summary>The harness stops itself after this long (its own overall timeout)...</summary>
    public static readonly TimeSpan HarnessTimeout = TimeSpan.FromSeconds(20);

    /// <summary>...and is killed after this long if it did not.</summary>
    public static readonly TimeSpan HarnessKillTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    private readonly TemporaryDirectory _data = new("js-sdk");
    private ServerProcess? _server;
    private AppCredentials? _app;

    public string JsSdkDirectory { get; } = LocateJsSdkDirectory();

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public AppCredentials App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        await EnsureSdkInstalledAsync(JsSdkDirectory);
        // Webhooks go to receivers on loopback (JsSdkServerTriggerTests), which they may not reach by default.
        _server = await ServerProcess.StartAsync(_data.Path, [$"--Greengage:AdminToken={AdminToken}", "--Greengage:CreateDemoApp=false", "--Greengage:Delivery:Webhook:AllowPrivateNetworks=true"]);
        _app = await _server.CreateAppAsync(AdminToken, "JS SDK tests");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>
    /// Runs the harness scenario against the server, for the fixture's app or <paramref name="app"/>;
    /// <paramref name="userId"/> null runs it anonymously. <paramref name="extraArgs"/> go to the harness as they are
    /// (<c>--scenario files</c>).
    /// </summary>
    /// <summary>An admin call to the fixture's server with its token; it must succeed. Answers the JSON body.</summary>
    public async Task<JsonNode> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<HarnessRun> RunHarnessAsync(string? userId, AppCredentials? app = null, IReadOnlyList<string>? extraArgs = null)
    {
        app ??= App;
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = JsSdkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { "harness.mjs", "--api", Server.ApiUrl, "--app", app.AppId, "--key", app.ProductionKey })
            start.ArgumentList.Add(arg);
        if (userId is not null)
        {
            start.ArgumentList.Add("--user");
            start.ArgumentList.Add(userId);
        }
        foreach (var arg in extraArgs ?? [])
            start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--timeout");
        start.ArgumentList.Add(((int)HarnessTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var (exitCode, stdout, stderr, elapsed) = await RunAsync(start, HarnessKillTimeout, "node harness.mjs");
        var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        JsonObject? result = null;
        if (lastLine is not null)
        {
            try
            {
                result = JsonNode.Parse(lastLine) as JsonObject;
            }
            catch (JsonException)
            {
                // Reported through the null result and the output.
            }
        }
        return new HarnessRun(exitCode, result, stdout, stderr, elapsed);
    }

    /// <summary><c>npm ci</c> in tests/js-sdk unless node_modules already holds leanplum-sdk at the locked version.</summary>
    private static async Task EnsureSdkInstalledAsync(string directory)
    {
        await RequireNodeAsync();
        if (SdkInstalled(directory))
            return;
        var npm = new ProcessStartInfo("npm")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
            npm.ArgumentList.Add(arg);
        var (exitCode, stdout, stderr, _) = await RunAsync(npm, NpmTimeout, "npm ci",
            "npm is not on PATH. The JS SDK tests need Node.js 20 and npm (scripts/prerequisites.sh installs them).");
        if (exitCode != 0 || !SdkInstalled(directory))
            throw new InvalidOperationException($"`npm ci` in {directory} failed (exit code {exitCode}).\nstdout:\n{stdout}\nstderr:\n{stderr}");
    }

    private static bool SdkInstalled(string directory)
    {
        var package = Path.Combine(directory, "node_modules", "leanplum-sdk", "package.json");
        if (!File.Exists(package) || !File.Exists(Path.Combine(directory, "node_modules", "leanplum-sdk", "dist", "leanplum.min.js")))
            return false;
        using var json = JsonDocument.Parse(File.ReadAllText(package));
        return json.RootElement.TryGetProperty("version", out var version) && version.GetString() == SdkVersion;
    }

    private static async Task RequireNodeAsync()
    {
        var node = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        node.ArgumentList.Add("--version");
        var (exitCode, stdout, stderr, _) = await RunAsync(node, TimeSpan.FromSeconds(30), "node --version",
            "node is not on PATH. The JS SDK tests need Node.js 20 or later (scripts/prerequisites.sh installs it).");
        var text = stdout.Trim().TrimStart('v');
        if (exitCode != 0 || !int.TryParse(text.Split('.')[0], out var major) || major < 20)
            throw new InvalidOperationException($"The JS SDK tests need Node.js 20 or later; `node --version` said '{stdout.Trim()}' {stderr.Trim()} (exit code {exitCode}).");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)> RunAsync(
        ProcessStartInfo start, TimeSpan timeout, string what, string? missingMessage = null)
    {
        using var process = new System.Diagnostics.Process { StartInfo = start };
        var clock = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(missingMessage ?? $"Cannot run {start.FileName}: {e.Message}", e);
        }
        if (start.RedirectStandardInput)
            process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{what} did not finish within {timeout.TotalSeconds:0} s and was killed.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }
        var output = (await stdout, await stderr);
        clock.Stop();
        return (process.ExitCode, output.Item1, output.Item2, clock.Elapsed);
    }

    private static string LocateJsSdkDirectory()
    {
        var root = ServerProcess.RepositoryRoot()
            ?? throw new InvalidOperationException($"No Greengage.sln above {AppContext.BaseDirectory}: cannot find tests/js-sdk.");
        var directory = Path.Combine(root, "tests", "js-sdk");
        if (!File.Exists(Path.Combine(directory, "harness.mjs")) || !File.Exists(Path.Combine(directory, "package-lock.json")))
            throw new InvalidOperationException($"{directory} lacks harness.mjs or package-lock.json.");
        return directory;
    }
}
