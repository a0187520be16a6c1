/// A choice a user makes in a request, by a neutral name. Each front end spells it in its own
/// terms: the CLI as a flag or argument (`--parallel`), the REST API as a JSON field (`parallel`),
/// so that one rule, checked once in the request, is reported in the words of whoever broke it.
public enum RequestSetting: String, Sendable, CaseIterable {
    /// Collections named explicitly (export, backup, snapshot).
    case collections
    /// Archives to import or repair.
    case archives
    /// The local name of one imported or copied collection.
    case target
    /// Put before the local names of imported or copied collections.
    case prefix
    /// The production collection compared or followed (validate, resync).
    case sourceCollection
    /// The local collection compared or mended (validate, resync).
    case targetCollection
    /// An archive compared or followed instead of production (validate, resync).
    case archive
    /// Upsert requests in flight at once.
    case parallel
    /// Points per scroll or upsert request.
    case batchSize
    /// zstd level of new archives.
    case compressionLevel
    /// zstd worker threads per archive.
    case compressionThreads
    /// Points sampled by a sampled comparison.
    case sampleSize
    /// Points per scroll page of a full comparison.
    case pageSize
    /// Differences listed in a full comparison's report.
    case maxListed
    /// Age recipients new archives are encrypted to.
    case recipients
    /// A file of age recipients.
    case recipientsFile
    /// An age identity file that opens encrypted archives.
    case identityFile
    /// A file holding the archives' passphrase.
    case passphraseFile
    /// Retention: archives, hours, days, ISO weeks and months kept (prune).
    case keepLast
    case keepHourly
    case keepDaily
    case keepWeekly
    case keepMonthly
    /// How an export reads a collection: snapshot, scroll or auto.
    case method
    /// A Qdrant filter choosing the points an export keeps.
    case pointFilter
    /// The most points an export keeps.
    case limit
    /// The fraction of the points a sampled export keeps.
    case sampleFraction
    /// The seed that chooses a sample's points.
    case sampleSeed
    /// Payload paths an export keeps (an allowlist).
    case keepPayload
    /// Payload paths an export drops.
    case dropPayload
    /// Payload paths an export replaces by keyed hashes.
    case hashPayload
    /// A file of redaction rules.
    case redactionRulesFile
    /// A file holding the key of hashed payload values.
    case redactionKeyFile
    /// A subset archive whose subset a comparison with production applies.
    case subsetOf
    /// The base archive of an incremental export, or `latest`.
    case incrementalFrom
    /// The local collection a delta archive is applied onto.
    case onto
    /// Import a delta with the chain of bases found beside it.
    case withBaseChain
}
