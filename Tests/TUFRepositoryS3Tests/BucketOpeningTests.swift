import Testing
import TUFObjectStore
import TUFRepository
@testable import TUFRepositoryS3
import TUFTestSupport

/// Opening a bucket from settings: the store's rules are checked before anything is sent or
/// written, credentials come only from the environment and never reach a message, and the
/// store's errors become the repository's in one place.
@Suite struct BucketOpeningTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              "AWS_REGION": "eu-west-1"]

    @Test func goodSettingsOpenWithoutARequest() throws {
        let settings = try BucketSettings(url: "s3://tuf-bucket/pypi", endpoint: "http://127.0.0.1:1")
        let publication = try settings.open(environment: Self.environment)
        #expect(publication.name == "s3://tuf-bucket/pypi/")
    }

    @Test(arguments: [
        ("s3://A_bad_bucket/x", nil, "bucket name"),
        ("s3://ab/x", nil, "bucket name"),
        ("s3://tuf-bucket/x", "http://127.0.0.1:1/path", "only scheme, host and port"),
    ] as [(String, String?, String)])
    func settingsTheStoreRefusesAreInvalidArguments(_ url: String, _ endpoint: String?, _ says: String) throws {
        let settings = try BucketSettings(url: url, endpoint: endpoint)
        do throws(RepositoryError) {
            _ = try settings.open(environment: Self.environment)
            Issue.record("opened \(url)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(says), "\(error.message)")
        }
    }

    @Test(arguments: ["ftp://bucket/x", "bucket/x", "s3://"])
    func aURLThatIsNotS3IsRefusedByTheSettings(_ url: String) {
        #expect(throws: RepositoryError(.invalidArgument, "")) { try BucketSettings(url: url) }
    }

    @Test func missingCredentialsNameTheVariableAndNeverTheSecret() throws {
        let settings = try BucketSettings(url: "s3://tuf-bucket/pypi", endpoint: "http://127.0.0.1:1")
        var environment = Self.environment
        environment["AWS_ACCESS_KEY_ID"] = nil
        do throws(RepositoryError) {
            _ = try settings.open(environment: environment)
            Issue.record("opened without an access key")
        } catch {
            #expect(error.message.contains("AWS_ACCESS_KEY_ID"), "\(error.message)")
            #expect(!error.message.contains(Self.environment["AWS_SECRET_ACCESS_KEY"]!))
        }
    }

    @Test(arguments: [
        ErrorShapeCase("from ObjectStoreError") { RepositoryError(ObjectStoreError(.server, "PUT s3://b/\($0)")) },
        ErrorShapeCase("from a refused setting") { RepositoryError(ObjectStoreError(.configuration, "bucket name \($0)")) },
    ])
    func theStoresErrorsPrintEscaped(_ c: ErrorShapeCase) { c.expectEscaped() }

    @Test func theStoresErrorsKeepTheirKindInTheMessage() {
        let e = RepositoryError(ObjectStoreError(.signatureMismatch, "PUT s3://b/metadata/timestamp.json: SignatureDoesNotMatch"))
        #expect(e.code == .bucket)
        #expect(e.message.hasPrefix("signatureMismatch: PUT s3://b/metadata/timestamp.json"), "\(e.message)")
    }
}
