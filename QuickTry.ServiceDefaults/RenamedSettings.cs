using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Settings renamed so their names say what they are. An operator's existing configuration keeps working:
/// the old name is still read when the new one is not set, and the service logs a warning at start naming
/// the key to use instead. When both are set, the new name wins.
/// </summary>
public static class RenamedSettings
{
    /// <summary>
    /// Binds <paramref name="section"/> to the options, then reads each old key of <paramref name="renames"/>
    /// (relative to the section) into its new key's property when only the old one is set.
    /// </summary>
    public static OptionsBuilder<TOptions> BindWithRenames<TOptions>(
        this OptionsBuilder<TOptions> builder, IConfigurationSection section, params (string Old, string New)[] renames)
        where TOptions : class
    {
        builder.Bind(section);
        return builder.PostConfigure<ILoggerFactory>((options, loggers) =>
        {
            foreach (var (old, renamed) in renames)
            {
                if (section[old] is not { } value || section[renamed] is not null)
                {
                    continue;
                }
                new ConfigurationBuilder().AddInMemoryCollection([new(renamed, value)]).Build().Bind(options);
                loggers.CreateLogger(typeof(RenamedSettings).FullName!).LogWarning(
                    "The setting {Old} is now {New}; the old name is still read, but use the new one.",
                    $"{section.Path}:{old}", $"{section.Path}:{renamed}");
            }
        });
    }
}
