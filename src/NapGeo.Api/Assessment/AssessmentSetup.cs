using Microsoft.Extensions.Options;
using NapGeo.Uploads;

namespace NapGeo.Assessment;

/// <summary>The mercury assessment capability: guideline sets, per-sample exceedance, derived hotspots, profiles.</summary>
public static class AssessmentSetup
{
    public static IServiceCollection AddAssessment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AssessmentOptions>().Bind(configuration.GetSection(AssessmentOptions.Section))
            .Validate(o => o.HighMultiplier > 1 && o.CriticalMultiplier > o.HighMultiplier,
                $"{AssessmentOptions.Section}: HighMultiplier must be > 1 and CriticalMultiplier > HighMultiplier")
            .ValidateOnStart();
        services.AddSingleton<GuidelineStore>();
        services.AddSingleton<HotspotDerivation>();
        services.AddSingleton<HotspotRefresh>();
        services.AddSingleton<IUploadCommitHook>(sp => sp.GetRequiredService<HotspotRefresh>());
        services.AddHostedService<GuidelineSeeder>();
        return services;
    }

    public static IEndpointRouteBuilder MapAssessment(this IEndpointRouteBuilder app)
    {
        app.MapGuidelines();
        app.MapAssessmentApi();
        return app;
    }
}

/// <summary>
/// Before the server listens: makes the default set equal to data/guidelines.csv and the class multipliers equal
/// to the configuration, re-assessing samples and re-deriving hotspots if either changed, all in one transaction: a
/// start-up that fails part-way saves nothing, and the next one does it all again.
/// </summary>
public sealed class GuidelineSeeder(GuidelineStore store, IOptions<AssessmentOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        await store.SyncDefaultsAsync(GuidelineCsv.LoadEmbedded(), new ClassMultipliers(o.HighMultiplier, o.CriticalMultiplier), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
