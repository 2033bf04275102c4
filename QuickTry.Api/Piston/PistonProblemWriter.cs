namespace QuickTry.Api.Piston;

/// <summary>
/// Every error under <see cref="PistonApi.Prefix"/> in Piston's shape, <c>{"message": "..."}</c> as
/// application/json with the status unchanged: what the gate, the body reader, the rate limiter, the
/// executor and the exception handler answer as problem details, Piston's clients read as they read Piston.
/// </summary>
internal sealed class PistonProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) =>
        context.HttpContext.Request.Path.StartsWithSegments(PistonApi.Prefix, StringComparison.OrdinalIgnoreCase);

    public ValueTask WriteAsync(ProblemDetailsContext context) =>
        new(context.HttpContext.Response.WriteAsJsonAsync(new PistonMessage(PistonTranslation.Message(context.ProblemDetails))));
}
