namespace NapGeo.Http;

/// <summary>Endpoint mapping shared by the capabilities.</summary>
public static class EndpointRoutes
{
    /// <summary>
    /// A GET endpoint and a HEAD endpoint with the same handler (RFC 9110 9.3.2: a general-purpose server supports
    /// HEAD; caches and link checkers ask for validators alone). Kestrel sends no body for HEAD; handlers that would
    /// read many rows check the method themselves. HEAD stays out of the OpenAPI document, where it would repeat
    /// the GET operation and its operationId; <paramref name="both"/> sets what the two must share (auth, limits).
    /// </summary>
    public static RouteHandlerBuilder MapGetAndHead(this IEndpointRouteBuilder routes, string pattern, Delegate handler,
        Func<RouteHandlerBuilder, RouteHandlerBuilder>? both = null)
    {
        both ??= b => b;
        both(routes.MapMethods(pattern, [HttpMethods.Head], handler).ExcludeFromDescription());
        return both(routes.MapGet(pattern, handler));
    }
}
