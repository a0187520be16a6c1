import Foundation
import Logging

/// Log output on stderr at the level LOG_LEVEL names (debug, info, warning, error; default info).
enum Logging {
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
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
