using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using NapGeo.Http;

namespace NapGeo.Viewer;

/// <summary>
/// The web viewer at <c>/</c> (wwwroot) and the browser libraries it needs, served from npm packages installed
/// next to the app (<c>web/node_modules</c>), so the map works with no internet and no CDN.
/// </summary>
public static class ViewerApi
{
    /// <summary>URL path → folder inside web/node_modules. Only these folders are ever served.</summary>
    private static readonly (string Path, string Folder)[] Vendor =
    [
        ("/vendor/maplibre-gl", "maplibre-gl/dist"),
        ("/vendor/topojson-client", "topojson-client/src"),
        ("/vendor/world-atlas", "world-atlas"),
    ];

    public static WebApplication UseViewerFiles(this WebApplication app)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".mjs"] = "text/javascript";
        types.Mappings[".map"] = "application/json";
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { ContentTypeProvider = types });
        var modules = Path.Combine(app.Environment.ContentRootPath, "web", "node_modules");
        foreach (var (path, folder) in Vendor)
        {
            var directory = Path.Combine(modules, folder);
            if (!Directory.Exists(directory))
            {
                app.Logger.LogWarning("{Directory} is missing: run npm ci in web/ (./napgeo does) to serve {Path}", directory, path);
                continue;
            }
            app.UseStaticFiles(new StaticFileOptions
            {
                RequestPath = path,
                FileProvider = new PhysicalFileProvider(directory),
                ContentTypeProvider = types,
            });
        }
        return app;
    }

    public static IEndpointRouteBuilder MapViewer(this IEndpointRouteBuilder app)
    {
        app.MapGetAndHead("/viewer/config.json", (IConfiguration configuration) =>
                TypedResults.Ok(new ViewerConfig(
                    configuration["NapGeo:Viewer:OnlineBasemapUrl"] is { Length: > 0 } url ? url : null,
                    configuration.GetValue("NapGeo:RequireKeyForReads", false))))
            .WithTags("Viewer").WithName("ViewerConfig").WithSummary("Settings of the web viewer (optional online basemap)");
        return app;
    }

    /// <param name="OnlineBasemapUrl">An XYZ raster tile URL template; null means the offline Natural Earth basemap.</param>
    /// <param name="RequireKeyForReads">The viewer then asks for a key before it loads anything.</param>
    public sealed record ViewerConfig(string? OnlineBasemapUrl, bool RequireKeyForReads);
}
