import ArgumentParser
import QdrantBackupKit

extension QdrantBackupCommand {
    /// The entry point: process-wide settings, then argument-parser's usual parse and run.
    static func main() async {
        ProcessMemory.returnLargeBuffersToTheSystem()
        Logging.bootstrap()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
