using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Net.Http.Headers;
using NapGeo.Auth;
using NapGeo.Http;
using NapGeo.Layers;

namespace NapGeo.Tiles;

/// <summary>
/// Vector tiles for MapLibre/Mapbox GL viewers: <c>/tiles/{source}/{z}/{x}/{y}.mvt</c>, TileJSON at
/// <c>/tiles/{source}.json</c>, the style at <c>/styles/napgeo.json</c>, and cache statistics for admins.
/// </summary>
public static class TilesApi
{
    public const string ContentType = "application/vnd.mapbox-vector-tile";
    private const string CorsPolicy = "tiles";

    public static IServiceCollection AddTiles(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Tiles").Get<TileOptions>() ?? new TileOptions();
        services.AddSingleton(options);
        // Tile reads get their own pool: its connections skip the reset on return to the pool, which tile
        // statements do not need (their only setting, the statement timeout, is transaction-local). It is small: a map
        // opening fires dozens of cold tiles at once, and PostGIS renders them no faster side by side than the cores
        // allow, while each extra one would hold a server connection (a burst once used up max_connections).
        services.AddKeyedSingleton(TileService.DataSourceKey, (_, _) => Database.NapGeoDatabase.Create(
            new Npgsql.NpgsqlConnectionStringBuilder(Database.NapGeoDatabase.ConnectionString(configuration))
                { NoResetOnClose = true, ApplicationName = "napgeo-tiles" }.ConnectionString,
            options.MaxConnections));
        services.AddSingleton(sp => new TileService(sp.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(TileService.DataSourceKey), options));
        services.AddSingleton<TileInvalidationListener>();
        services.AddHostedService(sp => sp.GetRequiredService<TileInvalidationListener>());
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat([ContentType, "application/x-protobuf", "application/geo+json", "application/problem+json"]);
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        services.AddCors(o => o.AddPolicy(CorsPolicy, p => p.AllowAnyOrigin().AllowAnyHeader().WithMethods("GET", "HEAD").WithExposedHeaders("ETag")
            .SetPreflightMaxAge(CorsPreflight.MaxAge)));
        return services;
    }

    public static WebApplication MapTiles(this WebApplication app)
    {
        app.UseTileWriteBarrier();

        var tiles = app.MapGroup("").WithTags("Vector tiles").RequireCors(CorsPolicy);
        // The read policy only when reads need a key (NapGeo:RequireKeyForReads, see ApiKeyAuthentication): evaluating
        // the always-true policy of public reads cost about a third of a cached tile's time in bench/tiles.
        if (app.Configuration.GetValue("NapGeo:RequireKeyForReads", false)) tiles.RequireAuthorization(ApiKeyAuthentication.ReadPolicy);
        // A key that is sent must be valid, as on every other read: a revoked key was served tiles as if anonymous.
        else tiles.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers.ContainsKey(ApiKeyAuthentication.Header) && context.HttpContext.User.Identity?.IsAuthenticated != true
                ? Results.Challenge(authenticationSchemes: [ApiKeyAuthentication.Scheme])
                : await next(context));
        // HEAD on every GET (RFC 9110 9.1; the CORS policy allows it): caches and link checkers ask for the validators alone.
        tiles.MapGetAndHead("/tiles/{source}/{z}/{x}/{tile}", GetTile)
            .WithName("GetTile")
            .WithSummary("A Mapbox Vector Tile of sites, hotspots, samples or napgeo (all three); y may end in .mvt or .pbf")
            .WithDescription("Filters: country (ISO alpha-3; hotspots and samples through their site), status (sites), matrix, " +
                             "exceedance_class (samples), from, to (sample dates, YYYY-MM-DD, inclusive). 204 when the tile is empty; " +
                             "ETag/If-None-Match → 304.")
            .Produces(200, contentType: ContentType).Produces(204).Produces(304).ProducesProblem(400).ProducesProblem(404);
        tiles.MapGetAndHead("/tiles/{source}.json", TileJson.Get)
            .WithName("GetTileJson")
            .WithSummary("TileJSON 3.0.0 of a tile source")
            .WithDescription("The tile filters given here (see GetTile) are carried into the tile URL template.")
            .ProducesProblem(400).ProducesProblem(404);
        tiles.MapGetAndHead("/styles/napgeo.json", NapGeoStyle.Get)
            .WithName("GetStyle")
            .WithSummary("MapLibre style for the napgeo tiles");
        tiles.MapGetAndHead("/tiles/preview.html", Preview).ExcludeFromDescription();

        app.MapGetAndHead("/admin/tiles/cache", (TileService service) => TypedResults.Ok(service.Cache.Stats()),
                b => b.RequireAuthorization(ApiKeyAuthentication.AdminPolicy)).WithTags("Vector tiles")
            .WithName("GetTileCacheStats").WithSummary("Tile cache statistics (admin key)");
        app.MapDelete("/admin/tiles/cache", FlushCache)
            .RequireAuthorization(ApiKeyAuthentication.AdminPolicy).WithTags("Vector tiles")
            .WithName("FlushTileCache").WithSummary("Empty the tile cache (admin key)");
        if (app.Configuration.GetValue("Tiles:BenchEndpoint", false)) MapBenchEndpoint(app);
        return app;
    }

    private static Results<Ok<CacheFlushed>, ValidationProblem> FlushCache(HttpRequest request, TileService service) =>
        QueryParameters.RefuseUnknown(request.Query, [], "DELETE /admin/tiles/cache") is { } unknown
            ? unknown
            : TypedResults.Ok(new CacheFlushed(service.Flush()));

    public sealed record CacheFlushed(int Flushed);

    private static async Task<IResult> GetTile(string source, string z, string x, string tile, HttpContext context, TileService service, CancellationToken ct)
    {
        var y = tile.EndsWith(".mvt", StringComparison.Ordinal) || tile.EndsWith(".pbf", StringComparison.Ordinal) ? tile[..^4] : tile;
        if (!int.TryParse(z, out var zi) || !int.TryParse(x, out var xi) || !int.TryParse(y, out var yi) || !TileAddress.IsValid(zi, xi, yi))
            return Problems.Status(400, "Invalid tile",
                $"{z}/{x}/{tile} is not a tile: z must be 0–{TileAddress.MaxZoom} and x, y 0…2^z−1, e.g. /tiles/{source}/5/15/15.mvt.");
        if (service.Find(source) is not { } found)
            return Problems.NotFound($"Tile source '{source}' (known: {string.Join(", ", service.Sources.Keys)})");
        var errors = new ValidationErrors();
        var filter = context.Request.QueryString.HasValue ? TileFilter.Parse(context.Request.Query, errors) : TileFilter.None;
        if (filter is null)
            return Problems.Invalid(errors.ToDictionary(), "The query has invalid parameters; see errors.");

        var (result, hit) = await service.GetAsync(found, new TileAddress(zi, xi, yi), filter, ct);
        var response = context.Response;
        // The compression middleware gzips or brotlis the bytes after this: their tag must say which (ContentCodings).
        // It decides from the Content-Type, so that is set first; an empty tile has no body to compress.
        if (result.Data.Length > 0) response.ContentType = ContentType;
        var etag = ContentCodings.Tag(result.ETag, result.Data.Length > 0 ? ContentCodings.Of(context) : null);
        var headers = response.Headers;
        headers.ETag = etag;
        headers.CacheControl = service.Options.CacheControl;
        headers["X-Cache"] = hit ? "HIT" : "MISS";
        headers.Vary = HeaderNames.AcceptEncoding;
        if (ContentCodings.IfNoneMatchHits(context.Request, etag))
        {
            response.ContentType = null;
            return TypedResults.StatusCode(304);
        }
        return result.Data.Length == 0 ? TypedResults.NoContent() : TypedResults.Bytes(result.Data, ContentType);
    }

    /// <summary>The public base URL: configured, else from the request (scheme, host, path base).</summary>
    public static string BaseUrl(HttpRequest request, TileOptions options) =>
        (options.PublicBaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}").TrimEnd('/');

    private static IResult Preview() => TypedResults.Content(TilePreview.Html, "text/html; charset=utf-8");

    /// <summary>
    /// API writes answer only after this instance has dropped the tiles they changed (<see cref="TileInvalidationListener.SyncAsync"/>),
    /// so a client that edits and then reloads a tile sees its edit. Other writers invalidate asynchronously, within milliseconds.
    /// </summary>
    private static void UseTileWriteBarrier(this WebApplication app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && request.Path.StartsWithSegments("/api"))
        {
            var listener = context.RequestServices.GetRequiredService<TileInvalidationListener>();
            context.Response.OnStarting(() => context.Response.StatusCode < 400 ? listener.SyncAsync(context.RequestAborted) : Task.CompletedTask);
        }
        await next();
    });

    /// <summary>The HTTP ceiling for bench/tiles: a fixed byte array through the same pipeline, no tile work.</summary>
    private static void MapBenchEndpoint(WebApplication app)
    {
        var payload = new byte[app.Configuration.GetValue("Tiles:BenchBytes", 16 * 1024)];
        new Random(42).NextBytes(payload);
        app.MapGetAndHead("/bench/bare", () => TypedResults.Bytes(payload, ContentType)).ExcludeFromDescription();
    }
}
