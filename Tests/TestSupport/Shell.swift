import Foundation

/// Runs a `bash -c` pipeline of standard tools (tar, zstd, sha256sum) for interoperability checks.
public enum Shell {
    /// Returns standard output; throws if the pipeline fails.
    public static func run(_ command: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-o", "pipefail", "-c", command]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = await onOwnThread { output.fileHandleForReading.readDataToEndOfFile() }
        await onOwnThread { process.waitUntilExit() }
        guard process.terminationStatus == 0 else { throw ShellError.failed(command, process.terminationStatus) }
        return String(decoding: data, as: UTF8.self)
    }
}

public enum ShellError: Error {
    case failed(String, Int32)
}
