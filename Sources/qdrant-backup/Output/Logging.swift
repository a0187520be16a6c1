import Foundation
import Logging

/// Log output on stderr at the level LOG_LEVEL names (debug, info, warning, error; default info).
///
/// ``bootstrap()`` makes this every logger's destination, so loggers the core makes for itself
/// (object storage's, say) log at the same level as the ones the commands hand down.
enum Logging {
    static func bootstrap() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    static let level: Logger.Level = {
        switch ProcessInfo.processInfo.environment["LOG_LEVEL"]?.lowercased() {
        case "trace": .trace
        case "debug": .debug
        case "warning", "warn": .warning
        case "error": .error
        default: .info
        }
    }()

    static func logger(label: String) -> Logger {
        Logger(label: label)
    }
}
