// The cases `scripts/difftest` found where rtprov differed from NXP's nxpimage, kept as
// configurations (tests/data/difftest/*.yaml, see its README.md): each is built from options (a)
// and through `rtprov convert --from spsdk` (b); the two must be byte-identical and
// `rtprov info --json` must show what nxpimage wrote.

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

const char* const kPassword = "difftest-password";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::uint32_t number(const std::string& text) {
    return static_cast<std::uint32_t>(std::stoul(text, nullptr, 0));
}

void put_le32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void put_be32(Bytes& b, std::uint32_t v) {
    for (int i = 3; i >= 0; --i)
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// One PKI for the whole run (RSA-2048, 4 SRKs): generating keys is the slow part.
const fs::path& pki_dir() {
    static TempDir dir;
    static const bool made = [] {
        write_text(dir / "pass.txt", std::string(kPassword) + "\n");
        const auto r =
            rtprov("keys -o " + (dir / "pki").string() +
                   " --srk-count 4 --key-size 2048 --password-file " + (dir / "pass.txt").string());
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return true;
    }();
    (void)made;
    return dir.path();
}

struct Case {
    std::string yaml;
    std::string build, sign;
    std::vector<std::pair<std::string, std::string>> expects;  // JSON pointer, JSON value
    std::uint32_t app_address = 0, app_size = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> dcd;  // address, value
};

Case load_case(const fs::path& file) {
    Case c;
    c.yaml = replace_all(
        replace_all(replace_all(read_text_file(file), "$PKI", (pki_dir() / "pki").string()),
                    "$PASSWORD", kPassword),
        "$PASS", (pki_dir() / "pass.txt").string());
    std::istringstream in(c.yaml);
    for (std::string line; std::getline(in, line);) {
        auto tagged = [&](const std::string& tag) { return line.rfind("# " + tag + ": ", 0) == 0; };
        const std::string rest = line.substr(line.find(':') + 1);
        if (tagged("app")) {
            std::istringstream f(rest);
            std::string a, s;
            f >> a >> s;
            c.app_address = number(a);
            c.app_size = number(s);
        } else if (tagged("dcd")) {
            std::istringstream f(rest);
            for (std::string pair; f >> pair;) {
                const auto eq = pair.find('=');
                c.dcd.emplace_back(number(pair.substr(0, eq)), number(pair.substr(eq + 1)));
            }
        } else if (tagged("build")) {
            c.build = rest;
        } else if (tagged("sign")) {
            c.sign = rest;
        } else if (tagged("expect")) {
            const auto eq = rest.find(" = ");
            c.expects.emplace_back(rest.substr(1, eq - 1), rest.substr(eq + 3));
        }
    }
    return c;
}

// The case folder: app.bin (vector table: stack, reset = app + 0x101), dcd.bin, dek.bin, nonce.bin.
void write_inputs(const Case& c, const fs::path& dir) {
    Bytes app(c.app_size);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>(i * 7 + 3);
    put_le32(app, 0, 0x20020000);
    put_le32(app, 4, c.app_address + 0x101);
    write_bytes(dir / "app.bin", app);
    if (!c.dcd.empty()) {
        Bytes dcd = {0xD2, 0, 0, 0x41, 0xCC, 0, 0, 0x04};
        for (const auto& [a, v] : c.dcd) {
            put_be32(dcd, a);
            put_be32(dcd, v);
        }
        dcd[2] = static_cast<std::uint8_t>(dcd.size());
        dcd[6] = static_cast<std::uint8_t>(dcd.size() - 4);
        write_bytes(dir / "dcd.bin", dcd);
    }
    Bytes dek, nonce;
    for (std::uint8_t i = 0; i < 16; ++i)
        dek.push_back(i);
    for (std::uint8_t i = 0; i < 13; ++i)
        nonce.push_back(static_cast<std::uint8_t>(0xA0 + i));
    write_bytes(dir / "dek.bin", dek);
    write_bytes(dir / "nonce.bin", nonce);
}

std::vector<fs::path> case_files() {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(kSource / "tests/data/difftest")) {
        if (e.path().extension() == ".yaml")
            files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(DifftestRegress, OptionsAndConvertedProjectAgree) {
    const auto files = case_files();
    ASSERT_GE(files.size(), 4u);
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        const Case c = load_case(file);
        TempDir dir;
        write_inputs(c, dir.path());
        write_text(dir / "config.yaml", c.yaml);
        const std::string cd =
            "cd " + dir.path().string() + " && RTPROV_KEY_PASSWORD=" + kPassword + " ";
        // (a) from options
        const std::string a_out = c.sign.empty() ? "a.bin" : "unsigned.bin";
        auto r = run_command(cd + kRtprov + " build" + c.build + " -o " + a_out);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        if (!c.sign.empty()) {
            r = run_command(cd + kRtprov + " sign --image unsigned.bin" + c.sign + " -o a.bin");
            ASSERT_EQ(r.exit_code, 0) << r.err;
        }
        // (b) through the converted project
        r = run_command(cd + kRtprov + " convert --from spsdk config.yaml -o project.yaml");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        r = run_command(cd + kRtprov + " build -c project.yaml -o b.bin");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(read_file(dir / "a.bin"), read_file(dir / "b.bin"));
        // what nxpimage wrote, seen by rtprov info
        r = run_command(cd + kRtprov + " info --json a.bin");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const nlohmann::json info = nlohmann::json::parse(r.out);
        for (const auto& [pointer, value] : c.expects) {
            const nlohmann::json::json_pointer p(pointer);
            ASSERT_TRUE(info.contains(p)) << pointer << " in " << info.dump();
            const nlohmann::json want = value.rfind("0x", 0) == 0 ? nlohmann::json(number(value))
                                                                  : nlohmann::json::parse(value);
            EXPECT_EQ(info.at(p), want) << pointer;
        }
    }
}

}  // namespace
}  // namespace rtprov::test
