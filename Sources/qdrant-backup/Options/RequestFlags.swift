import ArgumentParser
import QdrantBackupKit

/// Request settings in the CLI's words: the flag or argument each ``RequestSetting`` is given by.
/// A broken rule becomes argument-parser's `ValidationError` (usage, exit 64), naming the flag.
enum RequestFlags {
    static func flag(_ setting: RequestSetting) -> String {
        switch setting {
        case .collections: "collection names"
        case .archives: "ARCHIVE"
        case .target: "--target"
        case .prefix: "--prefix"
        case .sourceCollection: "SOURCE"
        case .targetCollection: "TARGET"
        case .archive: "--archive"
        case .parallel: "--parallel"
        case .batchSize: "--batch-size"
        case .compressionLevel: "--compression-level"
        case .compressionThreads: "--compression-threads"
        case .sampleSize: "--sample-size"
        case .pageSize: "--page-size"
        case .maxListed: "--max-listed"
        case .recipients: "--encrypt-to"
        case .recipientsFile: "--recipients-file"
        case .identityFile: "--identity"
        case .passphraseFile: "--passphrase-file"
        case .keepLast: "--keep-last"
        case .keepHourly: "--keep-hourly"
        case .keepDaily: "--keep-daily"
        case .keepWeekly: "--keep-weekly"
        case .keepMonthly: "--keep-monthly"
        case .method: "--method"
        case .pointFilter: "--point-filter"
        case .limit: "--limit"
        case .sampleFraction: "--sample"
        case .sampleSeed: "--sample-seed"
        case .keepPayload: "--keep-payload"
        case .dropPayload: "--drop-payload"
        case .hashPayload: "--hash-payload"
        case .redactionRulesFile: "--redaction-rules"
        case .redactionKeyFile: "--redaction-key-file"
        case .subsetOf: "--subset-of"
        case .incrementalFrom: "--incremental-from"
        case .onto: "--onto"
        case .withBaseChain: "--with-base-chain"
        }
    }

    /// Runs a request's `validate()`, rethrowing its error as a usage error in flags.
    static func validate(_ check: () throws(RequestError) -> Void) throws {
        do {
            try check()
        } catch {
            throw ValidationError(error.message(naming: flag))
        }
    }
}
