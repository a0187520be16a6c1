import ArgumentParser
import QdrantBackupKit

@main
struct QdrantBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qdrant-backup",
        abstract: "Export Qdrant collections into checksummed archives, verify them offline, and import them into a local Qdrant.",
        discussion: """
            Exit codes: 0 success; 1 failed or partly failed; 2 invalid or missing archive; 3 validate or \
            resync found differences; 4 cannot reach or authenticate to a server; 5 conflict with the \
            target; 6 key problem; 64 usage error (a missing setting too); 130/143 interrupted by \
            SIGINT/SIGTERM. A dry run exits with what it found. Shell completion: \
            --generate-completion-script bash|zsh|fish.
            """,
        version: toolVersion,
        subcommands: [
            HealthCommand.self, ListCommand.self, InfoCommand.self,
            ExportCommand.self, ImportCommand.self, ConsolidateCommand.self, SnapshotCommand.self, BackupCommand.self,
            ValidateCommand.self, ResyncCommand.self, VerifyCommand.self, InspectCommand.self, CleanupCommand.self,
            RepairCommand.self, ListArchivesCommand.self, PruneCommand.self, DrillCommand.self, ServeCommand.self,
        ]
    )
}
