import Foundation
import Testing
@testable import QdrantBackupKit

/// Each request's one `validate()`: its defaults pass, every range and combination is refused
/// naming its setting, and the options it makes carry the user's choices.
@Suite("Requests: validation, defaults and the options they make")
struct RequestValidationTests {
    static func expectRefused(_ check: () throws(RequestError) -> Void, _ setting: RequestSetting,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try check()
            Issue.record("accepted; expected a refusal naming \(setting)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.setting == setting, "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("defaults are valid and are those of RequestDefaults")
    func defaults() throws {
        var importRequest = ImportRequest()
        importRequest.archives = ["a.qdrant.tar"]
        try importRequest.validate()
        #expect(importRequest.tuning.parallel == 2 && importRequest.tuning.batchSize == 1000)
        try ExportRequest().validate()
        try CopyRequest().validate(environment: [:])
        var validation = ValidationRequest()
        validation.source.sourceCollection = "movies"
        try validation.validate()
        #expect(validation.sampleSize == RequestDefaults.sampleSize && validation.sampleSize == 100)
        #expect(validation.pageSize == 1000 && validation.maxListed == 10_000)
        var resync = ResyncRequest()
        resync.source.sourceCollection = "movies"
        try resync.validate()
        var repair = RepairRequest()
        repair.archives = ["a.qdrant.tar"]
        try repair.validate()
        #expect(repair.batchSize == 1000)
    }

    @Test("parallel is 1...64 and batch size 1...100000 wherever points are written", arguments: [0, 1, 64, 65, 100_000, 100_001])
    func tuningRanges(value: Int) {
        var tuning = UpsertTuning()
        tuning.parallel = value
        if (1...64).contains(value) { #expect(throws: Never.self) { try tuning.validate() } } else { Self.expectRefused(tuning.validate, .parallel) }
        tuning = UpsertTuning()
        tuning.batchSize = value
        if (1...100_000).contains(value) { #expect(throws: Never.self) { try tuning.validate() } } else { Self.expectRefused(tuning.validate, .batchSize) }
        var copy = CopyRequest()
        copy.tuning.parallel = value
        if !(1...64).contains(value) { Self.expectRefused({ () throws(RequestError) in try copy.validate(environment: [:]) }, .parallel) }
        var resync = ResyncRequest()
        resync.source.sourceCollection = "a"
        resync.tuning.batchSize = value
        if !(1...100_000).contains(value) { Self.expectRefused(resync.validate, .batchSize) }
        var export = ExportRequest()
        export.batchSize = value
        if !(1...100_000).contains(value) { Self.expectRefused(export.validate, .batchSize) }
        var repair = RepairRequest()
        repair.archives = ["a.qdrant.tar"]
        repair.batchSize = value
        if !(1...100_000).contains(value) { Self.expectRefused(repair.validate, .batchSize) }
    }

    @Test("import: archives required, target and prefix exclusive, a target for one archive only")
    func importRules() {
        var request = ImportRequest()
        Self.expectRefused(request.validate, .archives)
        request.archives = ["a.qdrant.tar", ""]
        Self.expectRefused(request.validate, .archives)
        request.archives = ["a.qdrant.tar"]
        request.target = "x"
        request.prefix = "dev_"
        Self.expectRefused(request.validate, .target)
        #expect(throws: RequestError.exclusive(setting: .target, other: .prefix)) { try request.validate() }
        request.prefix = nil
        request.archives = ["a.qdrant.tar", "b.qdrant.tar"]
        Self.expectRefused(request.validate, .target)
        request.target = nil
        request.prefix = "dev_"
        #expect(throws: Never.self) { try request.validate() }
    }

    @Test("export: compression level 0...19, threads 0 or more, no empty names")
    func exportRules() {
        var request = ExportRequest()
        request.compressionLevel = 20
        Self.expectRefused(request.validate, .compressionLevel)
        request.compressionLevel = 0
        request.compressionThreads = -1
        Self.expectRefused(request.validate, .compressionThreads)
        request.compressionThreads = 0
        request.selection.names = [""]
        Self.expectRefused(request.validate, .collections)
    }

    @Test("copy: target and prefix exclusive; encrypting to recipients needs a key that opens the archive again")
    func copyRules() {
        var request = CopyRequest()
        request.target = "x"
        request.prefix = "dev_"
        Self.expectRefused({ () throws(RequestError) in try request.validate(environment: [:]) }, .target)
        request.prefix = nil
        request.selection.names = ["a", "b"]
        Self.expectRefused({ () throws(RequestError) in try request.validate(environment: [:]) }, .target)
        request = CopyRequest()
        request.keys.recipients = ["age1xyz"]
        Self.expectRefused({ () throws(RequestError) in try request.validate(environment: [:]) }, .identityFile)
        #expect(throws: Never.self) { try request.validate(environment: [EncryptionSettings.passphraseVariable: "secret"]) }
        request.keys.passphraseFile = "/somewhere"
        #expect(throws: Never.self) { try request.validate(environment: [:]) }
    }

    @Test("validate and resync: exactly one source; sample size 0...1000000; resync from an archive names its target")
    func comparisonRules() {
        var validation = ValidationRequest()
        Self.expectRefused(validation.validate, .sourceCollection)
        validation.source = ComparisonSource(sourceCollection: "a", archive: "a.qdrant.tar")
        Self.expectRefused(validation.validate, .sourceCollection)
        validation.source = ComparisonSource(archive: "a.qdrant.tar")
        #expect(throws: Never.self) { try validation.validate() }
        for size in [-1, 1_000_001] {
            validation.sampleSize = size
            Self.expectRefused(validation.validate, .sampleSize)
        }
        validation.sampleSize = 0
        validation.pageSize = 0
        Self.expectRefused(validation.validate, .pageSize)
        validation.pageSize = 1
        validation.maxListed = -1
        Self.expectRefused(validation.validate, .maxListed)

        var resync = ResyncRequest()
        resync.source = ComparisonSource(archive: "a.qdrant.tar")
        Self.expectRefused(resync.validate, .targetCollection)
        resync.source.targetCollection = "a"
        #expect(throws: Never.self) { try resync.validate() }
    }

    @Test("the options made carry the choices; a copy's intermediate archive is always replaced")
    func options() async throws {
        var request = ImportRequest()
        request.archives = ["a.qdrant.tar"]
        request.prefix = "dev_"
        request.tuning.parallel = 8
        request.tuning.batchSize = 50
        request.aliases = true
        request.dryRun = true
        let state = StateDirectory(path: NSTemporaryDirectory())
        let options = try request.options(stateDirectory: state)
        #expect(options.parallel == 8 && options.batchSize == 50 && options.aliases && options.dryRun && options.prefix == "dev_")
        #expect(options.targetName(for: "movies") == "dev_movies")

        var export = ExportRequest()
        export.compressionLevel = 5
        export.timestamp = true
        let exportOptions = try export.options(output: .file("/tmp/out"), stateDirectory: nil)
        #expect(exportOptions.compressionLevel == 5 && exportOptions.timestamped && exportOptions.output == .file("/tmp/out"))
        #expect(exportOptions.encryption == nil || ProcessInfo.processInfo.environment[EncryptionSettings.passphraseVariable] != nil)

        var copy = CopyRequest()
        copy.prefix = "dev_"
        #expect(copy.targetName(for: "movies") == "dev_movies")
        #expect(copy.archiveDirectory(cacheDirectory: "/cache", run: "job-1", stores: .localFiles) == .file("/cache/job-1"),
                "a folder of the copy's own")
        copy.keepArchiveIn = "/kept"
        #expect(copy.archiveDirectory(cacheDirectory: "/cache", run: "job-1", stores: .localFiles) == .file("/kept"))
        copy.method = .scroll
        let copyExport = try copy.exportOptions(output: .file("/kept"), stateDirectory: state)
        #expect(copyExport.overwrite && copyExport.method == .scroll)
        #expect(try copy.importOptions(stateDirectory: state).overwrite == false)

        var resync = ResyncRequest()
        resync.dryRun = true
        resync.tuning.parallel = 3
        resync.pageSize = 10
        let resyncOptions = try await resync.options(locate: ArchiveStores.localFiles.location)
        #expect(resyncOptions.dryRun && resyncOptions.parallel == 3 && resyncOptions.pageSize == 10)
    }

    @Test("messages name the settings in the words a front end gives them")
    func messages() {
        let flags: (RequestSetting) -> String = { "--\($0.rawValue)" }
        #expect(RequestError.invalid(setting: .parallel, reason: "must be between 1 and 64").message(naming: flags)
            == "--parallel must be between 1 and 64")
        #expect(RequestError.exclusive(setting: .target, other: .prefix).message(naming: flags) == "--target and --prefix exclude each other")
        #expect(RequestError.missing(setting: .sourceCollection, alternative: .archive).message(naming: flags)
            == "give --sourceCollection or --archive")
    }
}
