using Microsoft.Playwright;

namespace NapGeo.BrowserTests;

/// <summary>
/// Headless Chromium from Debian (NAPGEO_CHROMIUM, else /usr/bin/chromium) driven by Playwright; Playwright's own
/// browser downloads are never used. Software WebGL (SwiftShader) so MapLibre renders without a GPU.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("NAPGEO_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null) await Instance.CloseAsync();
        _playwright?.Dispose();
    }
}
