import ArgumentParser
import QdrantBackupKit

/// The flags `snapshot` and `backup` share: overwrite, where archives are kept, output, how points
/// are written and the archives' keys.
struct OneShotOptions: ParsableArguments {
    @Flag(help: "Replace existing local collections.")
    var overwrite = false

    @Option(help: "Keep the archives in this directory instead of deleting them after their import.")
    var keepArchive: String?

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    @Flag(help: "Print a JSON summary of every collection on stdout.")
    var json = false

    @OptionGroup var tuning: ImportTuning

    @OptionGroup(title: "Subsets and redaction") var subset: SubsetOptions

    @OptionGroup var encryption: EncryptionOptions

    @OptionGroup var key: ArchiveKeyOptions

    /// A copy request with these flags; the command adds the selection, method and naming.
    func request(method: ExportMethod) -> CopyRequest {
        var request = CopyRequest()
        request.method = method
        request.overwrite = overwrite
        request.keepArchiveIn = keepArchive
        request.tuning = tuning.tuning
        request.aliases = tuning.aliases
        request.keys = encryption.keys(with: key)
        request.subset = subset.request
        return request
    }
}
