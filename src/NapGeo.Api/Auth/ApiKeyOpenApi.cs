using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NapGeo.Auth;

/// <summary>
/// Declares the <c>X-Api-Key</c> header in the OpenAPI document and on the operations that take it. Without it, the
/// /swagger UI had no Authorize button and sent no key, so every write tried there was a 401, and client generators
/// made clients that could not authenticate.
/// </summary>
public sealed class ApiKeyOpenApi : IOperationFilter
{
    public const string SchemeName = "ApiKey";

    public static readonly OpenApiSecurityScheme Scheme = new()
    {
        Type = SecuritySchemeType.ApiKey,
        In = ParameterLocation.Header,
        Name = ApiKeyAuthentication.Header,
        Description = "An API key from `./napgeo apikey create`: writes need an editor or admin key; reads need one only " +
                      "when the server sets NapGeo__RequireKeyForReads (a key that is sent must be valid).",
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Count == 0) return;
        operation.Security ??= [];
        // Reads are public unless the server is configured otherwise: no key is an alternative (an empty requirement).
        if (policies.All(p => p == ApiKeyAuthentication.ReadPolicy)) operation.Security.Add(new OpenApiSecurityRequirement());
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
    }
}
