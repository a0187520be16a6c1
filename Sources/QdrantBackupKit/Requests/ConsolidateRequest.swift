/// A consolidation as a user asks for it (`consolidate`): the chain and the keys that open the chain and encrypt the result. ``validate()`` is the one check of its
/// values; ``options(output:)`` makes the ``ArchiveConsolidator``'s options.
public struct ConsolidateRequest: Codable, Sendable, Equatable {
    /// The chain's archives in order, full archive first; or one delta whose bases are beside it.
    public var archives: [String] = []
    public var overwrite = false
    /// Opens the chain's encrypted archives (identity, passphrase) and encrypts the new one (recipients, passphrase).
    public var keys = ArchiveKeys()

    public init() {}

    public func validate() throws(RequestError) {
        guard !archives.isEmpty else { throw .missing(setting: .archives, alternative: nil) }
        try RequestRule.requireNames(archives, .archives)
    }

    /// Whether the one archive named is a delta whose chain is found beside it.
    public var besideLast: Bool { archives.count == 1 }

    /// The consolidator's options for the output folder at `output`; reads the key files.
    public func options(output: ArchiveLocation) throws -> ArchiveConsolidator.Options {
        var options = ArchiveConsolidator.Options(output: output)
        options.overwrite = overwrite
        let settings = keys.settings()
        options.key = try settings.openingKey()
        options.encryption = try settings.exportEncryption()
        return options
    }
}
