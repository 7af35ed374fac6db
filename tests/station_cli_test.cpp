// Black-box tests of `rtprov station` (the key pair packages are sealed to) and of the rule that
// key material reaches stdout only with --show-keys (build, sign and info of BEE images).

#include <sys/stat.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// `rtprov ARGS` with the station directory `dir` and a permissive umask.
RunResult in_station(const fs::path& dir, const std::string& args) {
    return run_command(
        fmt::format("umask 022 && RTPROV_STATION_DIR={} {} {}", dir.string(), kRtprov, args));
}

// The "# id: " comment of a key file.
std::string id_line(const fs::path& file) {
    const std::string text = read_text_file(file);
    const auto at = text.find("# id: ");
    EXPECT_NE(at, std::string::npos) << text;
    return at == std::string::npos ? "" : text.substr(at + 6, 16);
}

TEST(StationCli, KeygenWritesAPrivateKey0600AndShowsItsId) {
    TempDir t;
    const fs::path station = t / "station";
    auto r = in_station(station, "--json station keygen --label line-1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["private_key"], (station / "station.key").string());
    EXPECT_EQ(doc["public_key"], (station / "station.pub").string());
    EXPECT_EQ(doc["label"], "line-1");
    const std::string id = doc["id"];
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(mode_of(station / "station.key"), 0600u);
    EXPECT_EQ(mode_of(station / "station.pub"), 0644u);
    EXPECT_EQ(id_line(station / "station.pub"), id);
    EXPECT_EQ(id_line(station / "station.key"), id);
    // The id is that of the key itself: SHA-256 of the SubjectPublicKeyInfo, as OpenSSL sees it
    // (in parentheses: run_command's </dev/null would otherwise be sha256sum's input).
    if (run_command("openssl version").exit_code == 0) {
        const auto der =
            run_command("(openssl pkey -pubin -in " + (station / "station.pub").string() +
                        " -outform DER | sha256sum)");
        ASSERT_EQ(der.exit_code, 0) << der.err;
        EXPECT_EQ(der.out.substr(0, 16), id);
        const auto priv =
            run_command("openssl pkey -noout -in " + (station / "station.key").string());
        EXPECT_EQ(priv.exit_code, 0) << priv.err;
    }
    // The private key is never printed.
    const std::string pem = read_text_file(station / "station.key");
    const auto body = pem.substr(pem.find("-----BEGIN EC PRIVATE KEY-----\n") + 31, 40);
    EXPECT_EQ(r.out.find(body), std::string::npos);

    r = in_station(station, "station show");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, fmt::format("station key {}: id {}, label line-1\n",
                                 (station / "station.pub").string(), id));
    r = rtprov(fmt::format("--json station show --key {}", (station / "station.pub").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["id"], id);
}

TEST(StationCli, AnExistingKeyIsReplacedOnlyWithForce) {
    TempDir t;
    auto r = rtprov(fmt::format("station keygen --label a --out {}", t.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
              fmt::format("wrote {} (private, 0600) and {}", (t / "station.key").string(),
                          (t / "station.pub").string()));
    const std::string before = read_text_file(t / "station.key");
    r = rtprov(fmt::format("station keygen --label b --out {}", t.path().string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: station keygen: {} already exists; packages "
                                 "sealed to that key open only with it. Give --force to replace "
                                 "it, or --out another folder\n",
                                 (t / "station.key").string()));
    EXPECT_EQ(read_text_file(t / "station.key"), before);
    // Only the public key left: still refused (it names the station's identity).
    fs::remove(t / "station.key");
    r = rtprov(fmt::format("station keygen --out {}", t.path().string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find((t / "station.pub").string() + " already exists"), std::string::npos);

    ::chmod((t / "station.pub").c_str(), 0600);
    r = rtprov(fmt::format("--json station keygen --label b --out {} --force", t.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(mode_of(t / "station.key"), 0600u);
    EXPECT_EQ(nlohmann::json::parse(r.out)["label"], "b");
    EXPECT_EQ(id_line(t / "station.pub"), nlohmann::json::parse(r.out)["id"]);
}

TEST(StationCli, ErrorsNameTheFile) {
    TempDir t;
    auto r = rtprov(fmt::format("station show --key {}", (t / "none.pub").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find((t / "none.pub").string()), std::string::npos) << r.err;
    r = rtprov(fmt::format("station keygen --out {}", t.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = rtprov(fmt::format("station show --key {}", (t / "station.key").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: {}: holds a private key; give the station's "
                                 "public key (station.pub), which is what packages are sealed to\n",
                                 (t / "station.key").string()));
    r = rtprov(fmt::format("station keygen --out {} --force --label \"$(printf 'a\\tb')\"",
                           t.path().string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "rtprov: error: station label: control character 0x09 at byte 1\n");
}

// A user-key BEE project whose keys, KIB and nonce are fixed, so the test knows what to look for.
const char* const kBee = R"(mode: user-key
regions:
  - key: 0123456789abcdeffedcba9876543210
    kib_key: C1C2C3C4C5C6C7C8C9CACBCCCDCECFC0
    kib_iv: 1112131415161718191A1B1C1D1E1F10
    nonce: 112233445566778899AABBCC
    protect:
      - {start: 0x60002000, length: 0x1000}
)";

// Every spelling of the key material in stdout: the KIB key and IV, the nonce, the user key and
// its SW_GP2 words (hex in text, integers in JSON).
std::vector<std::string> key_material() {
    return {"c1c2c3c4c5c6c7c8c9cacbcccdcecfc0",
            "1112131415161718191a1b1c1d1e1f10",
            "112233445566778899aabbcc",
            "0123456789abcdef",
            "0x76543210",
            "0xFEDCBA98",
            std::to_string(0x76543210u),
            std::to_string(0xFEDCBA98u)};
}

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Which of key_material() `out` holds, in any letter case.
std::vector<std::string> keys_in(const std::string& out) {
    std::vector<std::string> found;
    for (const auto& k : key_material()) {
        if (lower(out).find(lower(k)) != std::string::npos)
            found.push_back(k);
    }
    return found;
}

TEST(ShowKeys, BuildAndInfoPrintBeeKeysOnlyWithShowKeys) {
    TempDir t;
    write_text(t / "bee.yaml", kBee);
    const auto app = (kSource / "examples/rt1020-evk/app/blinky.srec").string();
    const std::string build = fmt::format("build --device mimxrt1020 --app {} --bee {} -o {}", app,
                                          (t / "bee.yaml").string(), (t / "o.bin").string());
    const std::string info =
        fmt::format("info {} --bee-key 0123456789abcdeffedcba9876543210", (t / "o.bin").string());
    for (const std::string& command : {build, info}) {
        SCOPED_TRACE(command);
        for (const char* json : {"", "--json "}) {
            auto r = rtprov(json + command);
            ASSERT_EQ(r.exit_code, 0) << r.err;
            EXPECT_EQ(keys_in(r.out + r.err), std::vector<std::string>{}) << r.out;
            if (*json == '\0') {
                EXPECT_NE(r.out.find("  KIB, nonce keys hidden: --show-keys shows them\n"),
                          std::string::npos)
                    << r.out;
            } else {
                const auto doc = nlohmann::json::parse(r.out);
                EXPECT_EQ(doc["bee"]["regions"][0]["keys_hidden"], true) << r.out;
                EXPECT_FALSE(doc["bee"]["regions"][0].contains("kib_key"));
            }
            r = rtprov(json + command + " --show-keys");
            ASSERT_EQ(r.exit_code, 0) << r.err;
            const std::vector<std::string> shown = keys_in(r.out);
            EXPECT_NE(std::find(shown.begin(), shown.end(), key_material()[0]), shown.end())
                << r.out;
            EXPECT_NE(std::find(shown.begin(), shown.end(), key_material()[2]), shown.end())
                << r.out;
        }
    }
    // build also shows the SW_GP2 key words only with --show-keys.
    auto r = rtprov(build);
    EXPECT_NE(r.out.find("fuse SW_GP2_0      word SW_GP2_0 (0x29) mask 0xFFFFFFFF value (keys "
                         "hidden: --show-keys shows them)"),
              std::string::npos)
        << r.out;
    r = rtprov("--json " + build);
    // The document is kept: a range-for over a member of a temporary reads freed memory.
    const nlohmann::json built = nlohmann::json::parse(r.out);
    for (const auto& f : built["bee"]["fuses"]) {
        if (f["name"].get<std::string>().starts_with("SW_GP2")) {
            EXPECT_FALSE(f.contains("value")) << f;
            EXPECT_EQ(f["keys_hidden"], true);
        } else {
            EXPECT_TRUE(f.contains("value")) << f;
        }
    }
    r = rtprov(build + " --show-keys");
    EXPECT_NE(r.out.find("value 0x76543210"), std::string::npos) << r.out;
    r = rtprov("--json " + build + " --show-keys");
    EXPECT_NE(r.out.find(std::to_string(0x76543210u)), std::string::npos) << r.out;
}

}  // namespace
}  // namespace rtprov::test
