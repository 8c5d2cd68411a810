using Microsoft.Playwright;

namespace NapGeo.Tests.Infrastructure;

/// <summary>
/// Debian's headless Chromium driven by Playwright (no browser download: the machine's /usr/bin/chromium).
/// SwiftShader gives MapLibre a software WebGL. Screenshots go to NAPGEO_TEST_ARTIFACTS (set by ./napgeo test).
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;
    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("NAPGEO_CHROMIUM") ?? "/usr/bin/chromium",
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
            ],
        });
    }

    public static string ArtifactPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("NAPGEO_TEST_ARTIFACTS") ?? Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        _playwright?.Dispose();
    }
}
