import Corpus
import Foundation

/// The cache key of a request: SHA-256 over the template hash and the request body (model,
/// messages with their examples, temperature, max tokens). Never the API key or the URL.
public enum CacheKey {
    public static func of(_ request: TeacherRequest, templateHash: String) -> String {
        let text = "vigil-teacher-v1\n\(templateHash)\n" + ChatCompletionBody(request).json()
        return FormatSupport.sha256(text)
    }
}
