import Foundation

/// A child process started with `posix_spawnp`, its stdout and stderr on pipes.
///
/// Foundation's `Process` is not used for servers and the CLI under test: in the test process its
/// `processIdentifier` did not name the child, so signals (and a SIGKILL fallback) went astray.
/// The child starts with no blocked signals and default SIGINT/SIGTERM handling, as from a
/// terminal, whatever the test process blocks or ignores.
public final class SpawnedProcess: Sendable {
    public let processIdentifier: pid_t
    /// Read ends of the child's stdout and stderr; owned (closed) by this value.
    public let stdout: FileHandle
    public let stderr: FileHandle

    /// - Parameter executable: a path, or a name looked up in the environment's PATH.
    public init(executable: String, arguments: [String], environment: [String: String]) throws {
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard pipe(&output) == 0, pipe(&errors) == 0 else { throw SpawnError.failed(executable, errno) }
        // Close-on-exec, so that processes other tests spawn meanwhile do not hold our pipes open.
        for descriptor in output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        close(output[1])
        close(errors[1])
        guard spawned == 0 else {
            close(output[0])
            close(errors[0])
            throw SpawnError.failed(executable, spawned)
        }
        processIdentifier = pid
        stdout = FileHandle(fileDescriptor: output[0], closeOnDealloc: true)
        stderr = FileHandle(fileDescriptor: errors[0], closeOnDealloc: true)
    }

    /// Sends a signal (SIGINT, SIGTERM, SIGKILL).
    public func signal(_ number: Int32) {
        kill(processIdentifier, number)
    }

    /// Blocks until the child ends; returns its exit code, or 128 + the signal that killed it.
    public func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(processIdentifier, &status, 0) == -1 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The exit code if the child has ended (reaping it), else nil.
    public func exitCodeIfEnded() -> Int32? {
        var status: Int32 = 0
        guard waitpid(processIdentifier, &status, WNOHANG) == processIdentifier else { return nil }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

public enum SpawnError: Error {
    case failed(String, Int32)
}
