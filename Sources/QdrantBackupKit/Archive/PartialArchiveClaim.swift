import Foundation

/// Makes one writer the owner of an archive's `.partial`, so that two exports of one collection
/// into one directory never write into, remove or rename each other's file.
///
/// The owner holds an exclusive `flock` on the `.partial` for as long as it writes. Anyone else
/// removes a `.partial` only while holding that lock itself, and only if the path still names
/// the file it locked; a new `.partial` is created with `O_EXCL` and checked again once locked.
/// Whoever loses a race is refused with ``PartialArchiveInUse`` and touches nothing. (Advisory
/// locks bind only processes that take them: this tool, not `cp` or an editor.)
enum PartialArchiveClaim {
    /// Creates `partialPath` afresh, removing an abandoned one, and returns it locked.
    static func create(_ partialPath: String) throws -> OwnedFile {
        try removeAbandoned(partialPath)
        let file: OwnedFile
        do {
            file = try OwnedFile(path: partialPath, mode: .createNew)
        } catch let error as FileSystemError where error.code == EEXIST {
            throw PartialArchiveInUse(path: partialPath)
        }
        guard try file.tryLockExclusively(), file.isStill(at: partialPath) else {
            throw PartialArchiveInUse(path: partialPath)
        }
        return file
    }

    /// Opens an existing `partialPath` for reading and writing (`--resume`), locked.
    static func openExisting(_ partialPath: String) throws -> OwnedFile {
        let file = try OwnedFile(path: partialPath, mode: .readWrite)
        guard try file.tryLockExclusively(), file.isStill(at: partialPath) else {
            throw PartialArchiveInUse(path: partialPath)
        }
        return file
    }

    /// Throws ``PartialArchiveInUse`` when a writer holds `partialPath`; does nothing otherwise.
    static func checkFree(_ partialPath: String) throws {
        guard let file = try? OwnedFile(path: partialPath, mode: .read) else { return }
        guard try file.tryLockExclusively() else { throw PartialArchiveInUse(path: partialPath) }
    }

    /// Removes `partialPath` if no writer holds it (`prune --partials`); false when one does. A
    /// file that is not there is fine.
    static func removeIfAbandoned(_ partialPath: String) throws -> Bool {
        do {
            try removeAbandoned(partialPath)
            return true
        } catch is PartialArchiveInUse {
            return false
        }
    }

    /// Removes a `.partial` that no writer holds (left by a crash, or one a new export replaces).
    private static func removeAbandoned(_ partialPath: String) throws {
        let old: OwnedFile
        do {
            old = try OwnedFile(path: partialPath, mode: .read)
        } catch let error as FileSystemError where error.isNotFound {
            return
        }
        guard try old.tryLockExclusively(), old.isStill(at: partialPath) else {
            throw PartialArchiveInUse(path: partialPath)
        }
        // Removed while locked: no other writer can claim this file in between.
        try OwnedFile.remove(partialPath)
    }
}

/// Another export is writing this `.partial` right now.
public struct PartialArchiveInUse: ClassifiedError, CustomStringConvertible, Equatable {
    public let path: String

    public var failureKind: FailureKind { .conflict }

    public var description: String {
        "another export is writing \(path) right now; wait for it to finish (or stop it), then try again"
    }
}
