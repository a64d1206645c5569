using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

// Not "…Tests.Process": a namespace of that name would hide System.Diagnostics.Process from every test under
// Greengage.Server.Tests.
namespace Greengage.Server.Tests.Processes;

/// <summary>One line the server wrote, in arrival order; <see cref="IsError"/> for standard error.</summary>
public sealed record OutputLine(bool IsError, string Text);

/// <summary>
/// The REAL server as its own OS process: <c>dotnet Greengage.Server.dll</c> (not <c>dotnet run</c>, so that signals
/// reach the server itself) on a free loopback port, with a given data directory and extra <c>--Greengage:…=…</c>
/// arguments. It captures every output line, waits for <c>GET /healthz</c> to answer 200, and offers SIGKILL
/// (<see cref="Kill"/>) and SIGTERM (<see cref="StopGracefullyAsync"/>). Disposing kills it if it still runs; the data
/// directory belongs to the caller (see <see cref="TemporaryDirectory"/>).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>How long a start may take before <c>/healthz</c> answers 200.</summary>
    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a SIGTERM may take before the process must have exited.</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(30);

    private const int MaxStartAttempts = 3;
    private const int SigTerm = 15;

    private readonly System.Diagnostics.Process _process;
    private readonly object _gate = new();
    private readonly List<OutputLine> _lines = [];
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly Task _exited;

    private ServerProcess(System.Diagnostics.Process process, int port, string dataDirectory, string serverDll)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
        ServerDll = serverDll;
        BaseUrl = $"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => OnLine(false, e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(true, e.Data);
        process.Start();
        Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Completes once the process has exited AND both output streams reached their end: every line is in by then.
        _exited = process.WaitForExitAsync();
    }

    /// <summary>Raised for every output line, on a reader thread.</summary>
    public event Action<OutputLine>? LineReceived;

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, no trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary>The Leanplum API URL SDKs are pointed at.</summary>
    public string ApiUrl => BaseUrl + "/api";

    public int Port { get; }

    public int Pid { get; }

    public string DataDirectory { get; }

    /// <summary>The Greengage.Server.dll that runs.</summary>
    public string ServerDll { get; }

    /// <summary>A client with <see cref="BaseUrl"/> as its base address; disposed with this object.</summary>
    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited, else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>A snapshot of every line so far (both streams, in arrival order).</summary>
    public IReadOnlyList<OutputLine> Lines
    {
        get
        {
            lock (_gate)
                return _lines.ToArray();
        }
    }

    public IReadOnlyList<string> StdoutLines => Lines.Where(l => !l.IsError).Select(l => l.Text).ToArray();

    public IReadOnlyList<string> StderrLines => Lines.Where(l => l.IsError).Select(l => l.Text).ToArray();

    /// <summary>
    /// Starts the server and waits until <c>/healthz</c> answers 200. The port is a free loopback port; should another
    /// process take it before the server binds, the start is retried on a new one.
    /// </summary>
    /// <param name="dataDirectory">Passed as <c>--Greengage:DataDirectory</c>; created by the server when missing.</param>
    /// <param name="extraArgs">More arguments, typically <c>--Greengage:AdminToken=…</c>.</param>
    public static async Task<ServerProcess> StartAsync(
        string dataDirectory, IEnumerable<string>? extraArgs = null, TimeSpan? readyTimeout = null, CancellationToken cancellationToken = default)
    {
        var dll = LocateServerDll();
        var extra = extraArgs?.ToArray() ?? [];
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var server = new ServerProcess(CreateProcess(dll, port, dataDirectory, extra), port, dataDirectory, dll);
            try
            {
                await server.WaitUntilHealthyAsync(readyTimeout ?? DefaultReadyTimeout, cancellationToken);
                return server;
            }
            catch (ServerExitedException) when (attempt < MaxStartAttempts && server.Lines.Any(l =>
                l.Text.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Polls <c>GET /healthz</c> until it answers 200; fails early when the process exits.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        string last = "no answer yet";
        while (true)
        {
            if (_exited.IsCompleted)
                throw new ServerExitedException($"The server exited with code {_process.ExitCode} before /healthz answered 200.\n{Describe()}");
            try
            {
                using var response = await probe.GetAsync("/healthz", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "the probe timed out";
            }
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"/healthz did not answer 200 within {timeout.TotalSeconds:0} s (last: {last}).\n{Describe()}");
            // A poll interval, not a timing assumption: the loop ends on 200, on exit or at the deadline.
            await Task.WhenAny(_exited, Task.Delay(100, cancellationToken));
        }
    }

    /// <summary>
    /// The first line (already written or still to come) that matches <paramref name="predicate"/>. Fails when the
    /// process exits without writing one, or at the deadline.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.FirstOrDefault(l => predicate(l.Text)) is { } line)
                return line.Text;
            _waiters.Add((predicate, found));
        }
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var expired = Task.Delay(Timeout.Infinite, timeoutSource.Token);
        var first = await Task.WhenAny(found.Task, _exited, expired);
        if (first == found.Task)
            return await found.Task;
        lock (_gate)
        {
            _waiters.RemoveAll(w => w.Found == found);
            if (_lines.FirstOrDefault(l => predicate(l.Text)) is { } line)
                return line.Text;
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw first == _exited
            ? new ServerExitedException($"The server exited with code {_process.ExitCode} without writing the expected line.\n{Describe()}")
            : new TimeoutException($"The server wrote no matching line within {timeout.TotalSeconds:0} s.\n{Describe()}");
    }

    /// <summary>SIGKILL for the process and its children; returns once it has exited.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }
        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// SIGTERM, then waits for the exit and returns the exit code. At the deadline the process is killed and a
    /// <see cref="TimeoutException"/> says so.
    /// </summary>
    public async Task<int> StopGracefullyAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultStopTimeout;
        if (!_process.HasExited)
            SendSigTerm(Pid);
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"The server did not exit within {limit.TotalSeconds:0} s of SIGTERM; it was killed.\n{Describe()}");
        }
        await _exited;
        return _process.ExitCode;
    }

    /// <summary>The command line and the last output lines, for failure messages.</summary>
    public string Describe(int lastLines = 60)
    {
        var lines = Lines;
        var text = new StringBuilder();
        text.Append("Server: dotnet ").Append(ServerDll).Append(" on ").Append(BaseUrl).Append(", pid ").Append(Pid)
            .Append(", data ").AppendLine(DataDirectory);
        text.Append("Last ").Append(Math.Min(lastLines, lines.Count)).Append(" of ").Append(lines.Count).AppendLine(" output lines:");
        foreach (var line in lines.Skip(Math.Max(0, lines.Count - lastLines)))
            text.Append(line.IsError ? "  err| " : "  out| ").AppendLine(line.Text);
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _exited.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // The output pipes stay open only if a grandchild holds them; nothing more to wait for.
        }
        Http.Dispose();
        _process.Dispose();
    }

    /// <summary>
    /// Greengage.Server.dll: next to the test assembly when its runtimeconfig.json was copied along (the project
    /// reference does that), else in src/Greengage.Server/bin/&lt;configuration&gt;/net10.0 of the checkout.
    /// <c>GREENGAGE_SERVER_DLL</c> overrides both.
    /// </summary>
    public static string LocateServerDll()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("GREENGAGE_SERVER_DLL") is { Length: > 0 } configured)
            candidates.Add(Path.GetFullPath(configured));
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "Greengage.Server.dll"));
        if (RepositoryRoot() is { } root)
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name;
            foreach (var c in new[] { configuration, "Release", "Debug" }.Where(c => c is not null).Distinct())
                candidates.Add(Path.Combine(root, "src", "Greengage.Server", "bin", c!, framework, "Greengage.Server.dll"));
        }
        foreach (var dll in candidates)
        {
            if (File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")) && File.Exists(Path.ChangeExtension(dll, ".deps.json")))
                return dll;
        }
        throw new FileNotFoundException(
            "Greengage.Server.dll with its runtimeconfig.json and deps.json was not found. Build the server first. Looked at:\n  "
            + string.Join("\n  ", candidates));
    }

    /// <summary>The checkout root: the first parent of the test assembly's folder that holds Greengage.sln.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Greengage.sln")))
                return dir.FullName;
        }
        return null;
    }

    /// <summary>The dotnet host running these tests (the same SDK/runtime), else <c>dotnet</c> from PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        if (Environment.ProcessPath is { } self
            && string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
            return self;
        return "dotnet";
    }

    private static System.Diagnostics.Process CreateProcess(string dll, int port, string dataDirectory, string[] extra)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            // appsettings.json sits beside the dll; the content root (the working directory) is where it is read from.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        start.ArgumentList.Add($"--Greengage:DataDirectory={Path.GetFullPath(dataDirectory)}");
        foreach (var arg in extra)
            start.ArgumentList.Add(arg);
        // The test host's own settings must not leak into the server.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        return new System.Diagnostics.Process { StartInfo = start };
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnLine(bool isError, string? text)
    {
        if (text is null)
            return;
        var line = new OutputLine(isError, text);
        List<TaskCompletionSource<string>> matched = [];
        lock (_gate)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Predicate(text))
                    continue;
                matched.Add(_waiters[i].Found);
                _waiters.RemoveAt(i);
            }
        }
        foreach (var found in matched)
            found.TrySetResult(text);
        LineReceived?.Invoke(line);
    }

    private static void SendSigTerm(int pid)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("SIGTERM needs a POSIX system.");
        try
        {
            if (Native.Kill(pid, SigTerm) != 0)
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, SIGTERM) failed");
            return;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc by that name (an unusual C library): the kill command does the same.
        }
        using var kill = System.Diagnostics.Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
            throw new InvalidOperationException($"kill -TERM {pid} exited with {kill.ExitCode}");
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Kill(int pid, int signal);
    }
}

/// <summary>The server process ended while a test was waiting for it.</summary>
public sealed class ServerExitedException(string message) : Exception(message);
