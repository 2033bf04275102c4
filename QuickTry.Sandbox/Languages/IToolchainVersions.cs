namespace QuickTry.Sandbox.Languages;

/// <summary>The toolchain version each language's image reports (its <c>/opt/quicktry/version</c>), null until known.</summary>
public interface IToolchainVersions
{
    string? VersionOf(string language);
}
