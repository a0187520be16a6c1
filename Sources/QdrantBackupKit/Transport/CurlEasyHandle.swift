import CCurl
import Foundation

/// Owns one libcurl easy handle (`CURL *`) and the header list attached to it.
///
/// A handle keeps its connection cache across transfers, so ``HTTPClient`` pools handles to reuse
/// connections (TLS handshakes to production are not free).
///
/// `@unchecked Sendable`: a handle moves between the pool and a transfer thread, but it is only
/// ever used by the one thread that has taken it out of the pool.
final class CurlEasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    init() throws {
        _ = Self.globalInit
        guard let raw = curl_easy_init() else { throw CurlSetupError(message: "curl_easy_init failed") }
        self.raw = raw
    }

    deinit {
        curl_easy_cleanup(raw)
        curl_slist_free_all(headerList)
    }

    /// Clears every option for the next transfer; live connections stay cached.
    func reset() {
        curl_easy_reset(raw)
        curl_slist_free_all(headerList)
        headerList = nil
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(qb_curl_setopt_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws {
        try check(qb_curl_setopt_off_t(raw, option, curl_off_t(value)), option)
    }

    /// libcurl copies string options, so the Swift string need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws {
        try check(qb_curl_setopt_string(raw, option, value), option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws {
        try check(qb_curl_setopt_pointer(raw, option, value), option)
    }

    /// Replaces the request headers; the list lives as long as the handle or until the next reset.
    func setHeaders(_ lines: [String]) throws {
        curl_slist_free_all(headerList)
        headerList = nil
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw CurlSetupError(message: "cannot allocate a header list")
            }
            headerList = appended
        }
        try check(qb_curl_setopt_slist(raw, CURLOPT_HTTPHEADER, headerList), CURLOPT_HTTPHEADER)
    }

    func setCallbacks(
        write: curl_write_callback, header: curl_write_callback,
        progress: curl_xferinfo_callback, context: UnsafeMutableRawPointer
    ) throws {
        try check(qb_curl_setopt_write_callback(raw, write), CURLOPT_WRITEFUNCTION)
        try set(CURLOPT_WRITEDATA, pointer: context)
        try check(qb_curl_setopt_header_callback(raw, header), CURLOPT_HEADERFUNCTION)
        try set(CURLOPT_HEADERDATA, pointer: context)
        try check(qb_curl_setopt_progress_callback(raw, progress), CURLOPT_XFERINFOFUNCTION)
        try set(CURLOPT_XFERINFODATA, pointer: context)
        try set(CURLOPT_NOPROGRESS, 0)
    }

    func setBodyCallbacks(read: curl_read_callback, seek: curl_seek_callback, context: UnsafeMutableRawPointer) throws {
        try check(qb_curl_setopt_read_callback(raw, read), CURLOPT_READFUNCTION)
        try set(CURLOPT_READDATA, pointer: context)
        try check(qb_curl_setopt_seek_callback(raw, seek), CURLOPT_SEEKFUNCTION)
        try set(CURLOPT_SEEKDATA, pointer: context)
    }

    /// Runs the transfer on the calling thread, blocking until it ends.
    func perform() -> CURLcode { curl_easy_perform(raw) }

    var responseCode: Int {
        var code = 0
        _ = qb_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw CurlSetupError(message: "curl option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// libcurl refused an option: a programming or build problem, not a network one.
struct CurlSetupError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
