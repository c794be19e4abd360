import CCurl

/// libcurl's global state, set up once (thread-safely, as a lazy global) before the first handle.
let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))
