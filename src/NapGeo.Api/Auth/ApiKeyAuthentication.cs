using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace NapGeo.Auth;

public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";
    public const string Header = "X-Api-Key";
    /// <summary>Reads: anyone, unless <c>NapGeo:RequireKeyForReads</c> is true.</summary>
    public const string ReadPolicy = "read";
    public const string EditPolicy = "edit";
    public const string AdminPolicy = "admin";

    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var keyRequiredForReads = configuration.GetValue("NapGeo:RequireKeyForReads", false);
        services.AddSingleton<ApiKeyStore>();
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, p =>
            {
                if (keyRequiredForReads) p.RequireAuthenticatedUser();
                // Public reads, but a key that is sent must be valid: a revoked or mistyped key is told so (401)
                // rather than quietly served as anonymous until reads start to need one.
                else p.RequireAssertion(c => c.User.Identity?.IsAuthenticated == true ||
                                             c.Resource is not HttpContext http || !http.Request.Headers.ContainsKey(Header));
            })
            .AddPolicy(EditPolicy, p => p.RequireRole(Roles.Editor, Roles.Admin))
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin));
        services.ConfigureSwaggerGen(o =>
        {
            o.AddSecurityDefinition(ApiKeyOpenApi.SchemeName, ApiKeyOpenApi.Scheme);
            o.OperationFilter<ApiKeyOpenApi>();
        });
        return services;
    }

    /// <summary>The name written to the audit log for the caller of this request.</summary>
    public static string ActorName(this ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { } name } ? "key:" + name : "anonymous";

    private sealed class ApiKeyHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
        ApiKeyStore keys, IProblemDetailsService problems)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0) return AuthenticateResult.NoResult();
            var owner = await keys.FindAsync(values.ToString().Trim(), Context.RequestAborted);
            if (owner is null) return AuthenticateResult.Fail("The API key is not valid or has been revoked.");
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, owner.Id.ToString()), new Claim(ClaimTypes.Name, owner.Name), new Claim(ClaimTypes.Role, owner.Role)],
                ApiKeyAuthentication.Scheme);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthentication.Scheme));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.Headers.WWWAuthenticate = $"{ApiKeyAuthentication.Scheme} header=\"{Header}\"";
            var presented = Request.Headers.ContainsKey(Header);
            return Write(401, "Unauthorized", presented
                ? "The API key is not valid or has been revoked."
                : $"This operation needs an API key in the {Header} header.");
        }

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        {
            // Named from the endpoint's own policy: an editor refused a guideline change was told writes need an editor key.
            var policies = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy) ?? [];
            var needed = policies.Contains(ApiKeyAuthentication.AdminPolicy) ? "an admin key" : "an editor or admin key";
            var role = Context.User.FindFirst(ClaimTypes.Role)?.Value ?? "none";
            return Write(403, "Forbidden", $"Your API key's role ({role}) does not allow this operation: it needs {needed}.");
        }

        private async Task Write(int status, string title, string detail)
        {
            Response.StatusCode = status;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
            });
        }
    }
}
