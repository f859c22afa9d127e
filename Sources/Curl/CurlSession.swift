import CCurl

/// One libcurl easy handle: successive transfers reuse its connection (one IMAP login, one
/// selected mailbox), as libcurl keeps the connection open between `perform` calls.
///
/// Not `Sendable`: a handle belongs to one thread at a time; make one per task.
public final class CurlSession {
    public struct Options: Sendable {
        public var user: String
        public var password: String
        /// Require STARTTLS on a plain `imap://` URL before the login.
        public var requireStartTLS: Bool
        /// Trust anchors for the server's certificate; nil: the system's.
        public var caFile: String?
        /// Protocols allowed, so a URL from the configuration never makes libcurl speak another.
        public var protocols: String
        public var connectTimeoutSeconds: Int
        /// A transfer slower than 1 byte/s for this long is given up (a server that stopped answering).
        public var stallSeconds: Int

        public init(
            user: String, password: String, requireStartTLS: Bool = false, caFile: String? = nil,
            protocols: String = "imap,imaps", connectTimeoutSeconds: Int = 30, stallSeconds: Int = 120
        ) {
            self.user = user
            self.password = password
            self.requireStartTLS = requireStartTLS
            self.caFile = caFile
            self.protocols = protocols
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.stallSeconds = stallSeconds
        }
    }

    private let handle: UnsafeMutableRawPointer
    /// libcurl's error text for the last transfer (CURL_ERROR_SIZE bytes).
    /// Allocated once: libcurl keeps the pointer for the handle's life.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The body of the transfer in progress; the write callback appends to it.
    private var body: [UInt8] = []
    /// Bodies larger than this fail the transfer (a hostile or broken server).
    private var bodyLimit = Int.max

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init(options: Options) throws(CurlError) {
        guard Self.globalInit, let handle = curl_easy_init() else {
            throw CurlError(code: .setup, curlCode: -1, message: "libcurl could not be initialised")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, options.protocols)
        try set(CURLOPT_USERNAME, options.user)
        try set(CURLOPT_PASSWORD, options.password)
        try set(CURLOPT_CONNECTTIMEOUT, options.connectTimeoutSeconds)
        try set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try set(CURLOPT_LOW_SPEED_TIME, options.stallSeconds)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if options.requireStartTLS { try set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        if let caFile = options.caFile { try set(CURLOPT_CAINFO, caFile) }
        _ = dmarc_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = dmarc_curl_setopt_write_function(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let session = Unmanaged<CurlSession>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            guard session.body.count + length <= session.bodyLimit else { return 0 }  // fails the transfer
            data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                session.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
            }
            return length
        }
        _ = dmarc_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one transfer on `url` (a custom command when `request` is given, e.g. `UID SEARCH ALL`)
    /// and returns what the server sent as the body: a message, or a command's untagged responses.
    public func perform(url: String, request: String? = nil, bodyLimit: Int = Int.max) throws(CurlError) -> [UInt8] {
        try set(CURLOPT_URL, url)
        if let request { try set(CURLOPT_CUSTOMREQUEST, request) } else { try setNull(CURLOPT_CUSTOMREQUEST) }
        body = []
        body.reserveCapacity(1 << 14)
        self.bodyLimit = bodyLimit
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        defer { body = [] }
        guard code == CURLE_OK else { throw error(code) }
        return body
    }

    // MARK: Options

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(dmarc_curl_setopt_long(handle, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go.
        try check(value.withCString { dmarc_curl_setopt_string(handle, option, $0) }, option)
    }

    private func setNull(_ option: CURLoption) throws(CurlError) {
        try check(dmarc_curl_setopt_string(handle, option, nil), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError(
                code: .setup, curlCode: Int(code.rawValue),
                message: "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    private func error(_ code: CURLcode) -> CurlError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: CurlError.Code =
            switch code {
            case CURLE_LOGIN_DENIED: .login
            case CURLE_REMOTE_FILE_NOT_FOUND: .notFound
            case CURLE_QUOTE_ERROR, CURLE_REMOTE_ACCESS_DENIED: .refused
            case CURLE_OPERATION_TIMEDOUT: .timeout
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_USE_SSL_FAILED, CURLE_SSL_CACERT_BADFILE,
                CURLE_SSL_CERTPROBLEM:
                .tls
            case CURLE_OUT_OF_MEMORY, CURLE_UNKNOWN_OPTION, CURLE_NOT_BUILT_IN, CURLE_UNSUPPORTED_PROTOCOL: .setup
            default: .connection
            }
        return CurlError(code: kind, curlCode: Int(code.rawValue), message: message)
    }
}
