import CCurl

/// libcurl's global state, set up once (thread-safely, as a lazy global) before the first handle.
let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

/// Why libcurl could not start, nil when it did: callers check once before their first request.
public var curlInitializationError: String? {
    curlGlobalInit == CURLE_OK ? nil : "libcurl could not initialize (curl error \(curlGlobalInit.rawValue))"
}
