using Greengage.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddGreengage();

var app = builder.Build();
app.UseGreengage();
app.Run();

/// <summary>The server entry point; public so that tests can host it.</summary>
public partial class Program;
