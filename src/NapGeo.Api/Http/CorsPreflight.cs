namespace NapGeo.Http;

public static class CorsPreflight
{
    /// <summary>
    /// How long a browser may reuse a preflight's answer. If-None-Match and X-Api-Key are not CORS-safelisted headers, so
    /// a dashboard revalidating with ETags (or sending its key) was preflighted before nearly every GET: Chromium keeps an
    /// answer without Access-Control-Max-Age for 5 s. Two hours is the most Chromium honours (Firefox takes up to a day);
    /// the policies change only with a new release.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(2);
}
