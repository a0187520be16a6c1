import ArgumentParser

/// The flags `snapshot` and `backup` share beside the import tuning.
struct OneShotOptions: ParsableArguments {
    @Flag(help: "Replace existing local collections.")
    var overwrite = false

    @Option(help: "Keep the archives in this directory instead of deleting them after their import.")
    var keepArchive: String?

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    @Flag(help: "Print a JSON summary of every collection on stdout.")
    var json = false
}
