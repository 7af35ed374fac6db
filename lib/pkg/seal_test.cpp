#include "rtprov/pkg/seal.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

using Json = nlohmann::ordered_json;

// Two stations and the secrets of an encrypted product, shared by the tests of this file
// (generating P-256 keys is quick, but the byte-flip tests open a file many times).
class Seal : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        a_ = new StationKeyPair(generate_station_keys("line-a"));
        b_ = new StationKeyPair(generate_station_keys("line-b"));
    }
    static void TearDownTestSuite() {
        delete a_;
        delete b_;
    }
    static std::vector<Secret> secrets() {
        return {{"hab-dek", Bytes{0x5e, 0xc2, 0xe7, 0x01, 0x9a, 0x4b, 0x3c, 0xd8, 0x11, 0x62, 0x7f,
                                  0x80, 0xee, 0x05, 0xb3, 0x9d}},
                {"fuse:SW_GP2_0", Bytes{0xc4, 0x7a, 0x19, 0xe3}}};
    }
    static std::string sealed_to_a() {
        const std::vector<StationPublicKey> to{a_->public_key};
        return seal_secrets(secrets(), to);
    }
    // The error's code and text of opening `text` with `key`.
    static std::pair<ErrorCode, std::string> open_error(const std::string& text,
                                                        const StationPrivateKey* key) {
        try {
            open_secrets(text, key, "secrets/sealed.json");
        } catch (const Error& e) {
            return {e.code(), e.what()};
        }
        return {ErrorCode::Internal, "no error"};
    }
    static std::string describe_error(const std::string& text) {
        try {
            describe_secrets(text, "s.json");
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadInput) << e.what();
            return e.what();
        }
        return "no error";
    }

    static StationKeyPair* a_;
    static StationKeyPair* b_;
};

StationKeyPair* Seal::a_ = nullptr;
StationKeyPair* Seal::b_ = nullptr;

bool same(const std::vector<Secret>& x, const std::vector<Secret>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const Secret& s, const Secret& t) {
        return s.name == t.name && s.value == t.value;
    });
}

std::string hex_of(const Bytes& b, bool upper) {
    std::string out;
    for (const auto v : b)
        out += upper ? fmt::format("{:02X}", v) : fmt::format("{:02x}", v);
    return out;
}

TEST_F(Seal, OneRecipientRoundTripAndDescribe) {
    const std::string text = sealed_to_a();
    const SecretsInfo info = describe_secrets(text, "secrets/sealed.json");
    EXPECT_EQ(info.scheme, "ECIES-P256-HKDF-SHA256-AES-256-GCM");
    ASSERT_EQ(info.recipients.size(), 1u);
    EXPECT_EQ(info.recipients[0].id, a_->public_key.id);
    EXPECT_EQ(info.recipients[0].label, "line-a");
    EXPECT_EQ(info.names, (std::vector<std::string>{"hab-dek", "fuse:SW_GP2_0"}));
    EXPECT_TRUE(same(open_secrets(text, &a_->private_key, "s"), secrets()));
    // A fresh content key, nonces and ephemeral keys each time.
    EXPECT_NE(text, sealed_to_a());
    EXPECT_EQ(a_->public_key.id.size(), 16u);
    EXPECT_NE(a_->public_key.id, b_->public_key.id);
}

TEST_F(Seal, TwoRecipientsEachOpen) {
    const std::vector<StationPublicKey> to{a_->public_key, b_->public_key};
    const std::string text = seal_secrets(secrets(), to);
    EXPECT_EQ(describe_secrets(text, "s").recipients.size(), 2u);
    EXPECT_TRUE(same(open_secrets(text, &a_->private_key, "s"), secrets()));
    EXPECT_TRUE(same(open_secrets(text, &b_->private_key, "s"), secrets()));
}

TEST_F(Seal, AnotherStationIsRefusedNamingBoth) {
    const auto [code, message] = open_error(sealed_to_a(), &b_->private_key);
    EXPECT_EQ(code, ErrorCode::Verification);
    EXPECT_EQ(message, fmt::format("secrets/sealed.json: sealed to station(s) line-a ({}); this "
                                   "station's key is line-b ({})",
                                   a_->public_key.id, b_->public_key.id));
    const auto [no_key_code, no_key] = open_error(sealed_to_a(), nullptr);
    EXPECT_EQ(no_key_code, ErrorCode::Usage);
    EXPECT_EQ(no_key, fmt::format("secrets/sealed.json: sealed to station(s) line-a ({}); open it "
                                  "with one of their private keys (--station-key)",
                                  a_->public_key.id));
}

TEST_F(Seal, SealingNeedsDistinctStationsAndSecrets) {
    const auto usage = [](auto fn) {
        try {
            fn();
        } catch (const Error& e) {
            return fmt::format("{} {}", exit_code(e.code()), e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(usage([] { seal_secrets(secrets(), {}); }),
              "1 sealing secrets: give at least one station public key");
    const std::vector<StationPublicKey> twice{a_->public_key, a_->public_key};
    EXPECT_EQ(usage([&] { seal_secrets(secrets(), twice); }),
              fmt::format("1 sealing secrets: station line-a ({}) given twice", a_->public_key.id));
    const std::vector<StationPublicKey> to{a_->public_key};
    std::vector<Secret> dup = secrets();
    dup[1].name = "hab-dek";
    EXPECT_EQ(usage([&] { seal_secrets(dup, to); }), "2 secrets[1].name: 'hab-dek' given twice");
    EXPECT_EQ(usage([&] {
                  seal_secrets(std::vector<Secret>{{"k", {}}}, to);
              }),
              "2 secrets[0] ('k'): value empty");
    EXPECT_EQ(usage([&] {
                  plain_secrets(std::vector<Secret>{{"a\x1b", {1}}});
              }),
              "2 secrets[0].name: control character 0x1b at byte 1");
}

// Flipping any bit of what is sealed (decoded hex fields) fails authentication; renaming,
// dropping or reordering names or relabelling a station does too.
TEST_F(Seal, EveryAlteredFieldIsDetected) {
    const std::vector<StationPublicKey> to{a_->public_key, b_->public_key};
    const Json doc = Json::parse(seal_secrets(secrets(), to));
    const auto refused = [&](const Json& altered, const std::string& what) {
        const auto [code, message] = open_error(altered.dump(2), &a_->private_key);
        EXPECT_EQ(code, ErrorCode::Verification) << what << ": " << message;
    };
    const auto flip_each = [&](const Json::json_pointer& field) {
        const Bytes value = [&] {
            const std::string hex = doc.at(field).get<std::string>();
            Bytes out;
            for (std::size_t i = 0; i < hex.size(); i += 2)
                out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
            return out;
        }();
        for (std::size_t i = 0; i < value.size(); ++i) {
            Bytes flipped = value;
            flipped[i] ^= 0x01;
            Json altered = doc;
            altered[field] = hex_of(flipped, false);
            refused(altered, fmt::format("{} byte {}", field.to_string(), i));
        }
    };
    flip_each(Json::json_pointer("/ciphertext"));
    flip_each(Json::json_pointer("/nonce"));
    for (const char* r : {"/recipients/0", "/recipients/1"}) {
        flip_each(Json::json_pointer(std::string(r) + "/wrapped_key"));
        flip_each(Json::json_pointer(std::string(r) + "/nonce"));
        flip_each(Json::json_pointer(std::string(r) + "/ephemeral_public_key"));
    }
    for (std::size_t n = 0; n < 2; ++n) {
        const std::string name = doc["names"][n].get<std::string>();
        for (std::size_t i = 0; i < name.size(); ++i) {
            Json altered = doc;
            std::string renamed = name;
            renamed[i] = static_cast<char>(renamed[i] ^ 0x01);
            altered["names"][n] = renamed;
            refused(altered, fmt::format("names[{}] byte {}", n, i));
        }
    }
    Json reordered = doc;
    std::swap(reordered["names"][0], reordered["names"][1]);
    refused(reordered, "names reordered");
    Json dropped = doc;
    dropped["names"].erase(1);
    refused(dropped, "a name dropped");
    Json relabelled = doc;
    relabelled["recipients"][1]["label"] = "line-c";
    refused(relabelled, "station relabelled");
    Json one_less = doc;
    one_less["recipients"].erase(1);
    refused(one_less, "a station dropped");
}

// Every byte of the file's text changed is refused one way or another: the parser (hex case,
// field names, JSON) or authentication.
TEST_F(Seal, EveryByteOfTheTextFlippedIsRefused) {
    const std::string text = sealed_to_a();
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::string altered = text;
        altered[i] = static_cast<char>(altered[i] ^ 0x01);
        try {
            open_secrets(altered, &a_->private_key, "s");
            ADD_FAILURE() << "byte " << i << " ('" << text[i] << "') flipped was accepted";
        } catch (const Error&) {
        }
    }
}

TEST_F(Seal, SecretBytesAreNotInTheSealedText) {
    const std::string text = sealed_to_a();
    for (const Secret& s : secrets()) {
        EXPECT_EQ(text.find(hex_of(s.value, false)), std::string::npos) << s.name;
        EXPECT_EQ(text.find(hex_of(s.value, true)), std::string::npos) << s.name;
        const std::string raw(s.value.begin(), s.value.end());
        EXPECT_EQ(text.find(raw), std::string::npos) << s.name;
    }
    EXPECT_EQ(text.find(hex_of(a_->private_key.der, false).substr(14, 64)), std::string::npos);
}

TEST_F(Seal, PlainRoundTripSaysItIsNotSealed) {
    const std::string text = plain_secrets(secrets());
    EXPECT_NE(text.find("\"warning\": \"NOT SEALED"), std::string::npos) << text;
    EXPECT_NE(text.find("\"value\": \"5ec2e7019a4b3cd811627f80ee05b39d\""), std::string::npos);
    const SecretsInfo info = describe_secrets(text, "s");
    EXPECT_EQ(info.scheme, "plain");
    EXPECT_TRUE(info.recipients.empty());
    EXPECT_EQ(info.names, (std::vector<std::string>{"hab-dek", "fuse:SW_GP2_0"}));
    EXPECT_TRUE(same(open_secrets(text, nullptr, "s"), secrets()));
    EXPECT_TRUE(same(open_secrets(text, &b_->private_key, "s"), secrets()));
}

TEST_F(Seal, MalformedFilesNameTheField) {
    EXPECT_EQ(describe_error("{"), "s.json: malformed JSON at byte offset 1");
    EXPECT_EQ(describe_error("[]"), "s.json: top level: expected an object, got array");
    EXPECT_EQ(describe_error("{}"), "s.json: scheme: missing");
    EXPECT_EQ(describe_error(R"({"scheme": "rot13"})"),
              "s.json: scheme: 'rot13' is not known to this rtprov (it knows "
              "ECIES-P256-HKDF-SHA256-AES-256-GCM and plain)");
    EXPECT_EQ(describe_error(std::string(100, '[') + std::string(100, ']')),
              "s.json: JSON nested deeper than 64 levels (at byte 64)");

    Json doc = Json::parse(sealed_to_a());
    const auto with = [&](const char* pointer, Json value) {
        Json altered = doc;
        altered[Json::json_pointer(pointer)] = std::move(value);
        return describe_error(altered.dump());
    };
    EXPECT_EQ(with("/recipients", Json::array()),
              "s.json: recipients: empty: a sealed file names at least one station");
    EXPECT_EQ(with("/recipients/0/nonce", "00"),
              "s.json: recipients[0].nonce: expected 24 hex digits, got 2");
    const std::string upper = [&] {
        std::string n = doc["nonce"].get<std::string>();
        n[0] = 'A';
        return n;
    }();
    EXPECT_EQ(with("/nonce", upper),
              "s.json: nonce: 'A' at character 0 is not a lowercase hex digit");
    EXPECT_EQ(with("/recipients/0/id", "xyz"),
              "s.json: recipients[0].id: 'xyz' is not 16 lowercase hex digits");
    EXPECT_EQ(with("/recipients/0/label", ""),
              "s.json: recipients[0].label: give 1 to 64 bytes, not 0");
    EXPECT_EQ(with("/recipients/0/extra", 1), "s.json: recipients[0].extra: unknown field");
    EXPECT_EQ(with("/names/1", "hab-dek"), "s.json: names[1]: 'hab-dek' given twice");
    EXPECT_EQ(with("/names/0", 7), "s.json: names[0]: expected a string, got number");
    EXPECT_EQ(with("/ciphertext", 7), "s.json: ciphertext: expected a string, got number");
    EXPECT_EQ(with("/comment", "x"), "s.json: comment: unknown field");

    EXPECT_EQ(describe_error(R"({"scheme": "plain", "warning": "w", "secrets": [{"name": "k"}]})"),
              "s.json: secrets[0].value: missing");
    EXPECT_EQ(
        describe_error(
            R"({"scheme": "plain", "warning": "w", "secrets": [{"name": "k", "value": "0"}]})"),
        "s.json: secrets[0].value: expected 2 to 2048 hex digits, got 1");
    EXPECT_EQ(describe_error(R"({"scheme": "plain", "secrets": []})"), "s.json: warning: missing");
}

TEST_F(Seal, KeyFilesLoadBack) {
    test::TempDir dir;
    write_file_atomic(dir / "station.key", a_->private_pem, FileAccess::Owner);
    write_file_atomic(dir / "station.pub", a_->public_pem);
    EXPECT_NE(a_->public_pem.find("# label: line-a\n# id: " + a_->public_key.id + "\n"),
              std::string::npos)
        << a_->public_pem;

    const StationPrivateKey priv = load_station_private_key(dir / "station.key");
    EXPECT_EQ(priv.id, a_->public_key.id);
    EXPECT_EQ(priv.label, "line-a");
    EXPECT_EQ(priv.der, a_->private_key.der);
    const StationPublicKey pub = load_station_public_key(dir / "station.pub");
    EXPECT_EQ(pub.id, a_->public_key.id);
    EXPECT_EQ(pub.label, "line-a");
    EXPECT_EQ(pub.der, a_->public_key.der);

    // Sealed to the loaded public key, opened with the loaded private key.
    const std::vector<StationPublicKey> to{pub};
    EXPECT_TRUE(same(open_secrets(seal_secrets(secrets(), to), &priv, "s"), secrets()));

    // Without comments, the label is the file's name.
    const std::string bare = a_->public_pem.substr(a_->public_pem.find("-----BEGIN"));
    write_file_atomic(dir / "line-7.pub", bare);
    EXPECT_EQ(load_station_public_key(dir / "line-7.pub").label, "line-7");

    const auto error = [](auto fn) {
        try {
            fn();
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadInput) << e.what();
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string key = (dir / "station.key").string();
    const std::string pubf = (dir / "station.pub").string();
    EXPECT_EQ(error([&] { load_station_public_key(dir / "station.key"); }),
              key +
                  ": holds a private key; give the station's public key (station.pub), which is "
                  "what packages are sealed to");
    EXPECT_EQ(error([&] { load_station_private_key(dir / "station.pub"); }),
              pubf +
                  ": holds no PEM private key (a station's private key is the station.key that "
                  "rtprov station keygen wrote)");
    std::string edited = a_->public_pem;
    edited.replace(edited.find("# id: ") + 6, 16, b_->public_key.id);
    write_file_atomic(dir / "edited.pub", edited);
    EXPECT_EQ(error([&] { load_station_public_key(dir / "edited.pub"); }),
              fmt::format("{}: its '# id:' line says {}, but the key's id is {} (the comment was "
                          "edited or belongs to another key)",
                          (dir / "edited.pub").string(), b_->public_key.id, a_->public_key.id));
}

// The scheme as docs/package-format.md names it, opened by an independent implementation
// (tests/seal_oracle.py: Python's cryptography over OpenSSL), for each of two stations and a
// label outside ASCII (the additional data is UTF-8 JSON).
TEST_F(Seal, AnIndependentImplementationOpensIt) {
    test::TempDir dir;
    const StationKeyPair c = generate_station_keys("Línea 3");
    const std::vector<StationPublicKey> to{a_->public_key, c.public_key};
    write_file_atomic(dir / "sealed.json", seal_secrets(secrets(), to));
    write_file_atomic(dir / "a.key", a_->private_pem, FileAccess::Owner);
    write_file_atomic(dir / "c.key", c.private_pem, FileAccess::Owner);
    for (const char* key : {"a.key", "c.key"}) {
        const test::RunResult r = test::run_command(
            fmt::format("python3 {}/tests/seal_oracle.py {} {}", RTPROV_SOURCE_DIR,
                        (dir / "sealed.json").string(), (dir / key).string()));
        if (r.exit_code == 77 || r.exit_code == 127)
            GTEST_SKIP() << "python3 with the cryptography module is not installed";
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.out, "hab-dek 5ec2e7019a4b3cd811627f80ee05b39d\nfuse:SW_GP2_0 c47a19e3\n")
            << key;
    }
}

}  // namespace
}  // namespace rtprov::pkg
