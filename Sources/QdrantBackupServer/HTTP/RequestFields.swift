import QdrantBackupKit

/// Request settings in the REST API's words: the JSON field each ``RequestSetting`` is given by.
/// A broken rule becomes a 400 whose `field` names it.
enum RequestFields {
    static func field(_ setting: RequestSetting) -> String {
        switch setting {
        case .collections: "collections"
        case .archives: "archives"
        case .target: "target"
        case .prefix: "target_prefix"
        case .sourceCollection: "source_collection"
        case .targetCollection: "target_collection"
        case .archive: "archive"
        case .parallel: "parallel"
        case .batchSize: "batch_size"
        case .compressionLevel: "compression_level"
        case .compressionThreads: "compression_threads"
        case .sampleSize: "sample_size"
        case .pageSize: "page_size"
        case .maxListed: "max_listed"
        case .recipients: "encrypt_to"
        case .recipientsFile: "recipients_file"
        case .identityFile: "identity_file"
        case .passphraseFile: "passphrase_file"
        case .keepLast: "keep_last"
        case .keepHourly: "keep_hourly"
        case .keepDaily: "keep_daily"
        case .keepWeekly: "keep_weekly"
        case .keepMonthly: "keep_monthly"
        case .method: "method"
        case .pointFilter: "point_filter"
        case .limit: "limit"
        case .sampleFraction: "sample"
        case .sampleSeed: "sample_seed"
        case .keepPayload: "keep_payload"
        case .dropPayload: "drop_payload"
        case .hashPayload: "hash_payload"
        case .redactionRulesFile: "redaction_rules_file"
        case .redactionKeyFile: "redaction_key_file"
        case .subsetOf: "subset_of"
        case .incrementalFrom: "incremental_from"
        case .onto: "onto"
        case .withBaseChain: "with_base_chain"
        }
    }

    /// Runs a request's checks, rethrowing a broken rule as a 400 naming the field.
    static func validate(_ check: () throws(RequestError) -> Void) throws(AdminAPIError) {
        do {
            try check()
        } catch {
            throw AdminAPIError(.badRequest, error.message(naming: field), field: field(error.setting))
        }
    }
}
