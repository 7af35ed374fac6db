// NXP configurations as Windows users write them (the provisioning tool runs mostly on Windows):
// backslash paths, `.\` and mixed separators, CRLF line ends and a UTF-8 byte order mark. Each
// variant of every HAB export case in $RTPROV_VECTORS must convert (format told from the file, no
// --from) and build byte-identically with NXP's reference output, as the forward-slash original
// does. The variants are made here, from NXP's own files, in a temporary copy of the case.

#include <fstream>
#include <functional>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "test_support.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

const char* const kCase = "hab-export/rt1050_xip_image_iar_authenticated";

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Bytes read_bytes(const fs::path& p) {
    const std::string s = read_text(p);
    return Bytes(s.begin(), s.end());
}

// The case folder with its ../crts and ../keys, copied under `root` (NXP's configurations name
// their keys relative to themselves).
fs::path copy_case(const fs::path& vectors, const fs::path& root) {
    const fs::path from = vectors / "hab-export";
    for (const char* dir : {"crts", "keys"})
        fs::copy(from / dir, root / dir, fs::copy_options::recursive);
    fs::copy(vectors / kCase, root / "case", fs::copy_options::recursive);
    return root / "case";
}

// Is this line a setting whose value names a file (the only values with '/' in these files)?
bool names_a_file(const std::string& line) {
    return line.find("../") != std::string::npos || line.find("gen_hab_certs/") != std::string::npos;
}

// Applies `edit` to the value part of each line that names a file.
std::string edit_paths(const std::string& text, const std::function<std::string(std::string)>& edit) {
    std::istringstream in(text);
    std::string out;
    for (std::string line; std::getline(in, line);)
        out += (names_a_file(line) ? edit(line) : line) + "\n";
    return out;
}

std::string all_backslashes(std::string line) {
    for (char& c : line) {
        if (c == '/')
            c = '\\';
    }
    return line;
}

// "../crts/x" -> "..\crts/x", "gen_hab_certs/SRK_hash.bin" -> ".\gen_hab_certs\SRK_hash.bin"
std::string mixed(std::string line) {
    bool back = true;
    for (char& c : line) {
        if (c == '/') {
            if (back)
                c = '\\';
            back = !back;
        }
    }
    const auto at = line.find("gen_hab_certs");
    if (at != std::string::npos)
        line.insert(at, ".\\");
    return line;
}

std::string windows_file(std::string text) {
    std::string out = "\xEF\xBB\xBF";
    for (char c : text) {
        if (c == '\n')
            out += '\r';
        out += c;
    }
    return out;
}

struct Variant {
    const char* name;
    std::function<std::string(const std::string&)> make;
};

const Variant kVariants[] = {
    {"forward slashes", [](const std::string& t) { return t; }},
    {"backslashes", [](const std::string& t) { return edit_paths(t, all_backslashes); }},
    {"mixed separators and .\\", [](const std::string& t) { return edit_paths(t, mixed); }},
    {"backslashes, CRLF and a BOM",
     [](const std::string& t) { return windows_file(edit_paths(t, all_backslashes)); }},
};

struct Config {
    const char* file;
    bool needs_input;     // a BD file names its app as extern(0)
    bool needs_password;  // config_pk_encrypted signs with encrypted keys (password "test")
};

const Config kConfigs[] = {
    {"config.bd", true, false},
    {"config_pk.yaml", false, false},
    {"config_pk_simplified.yaml", false, false},
    {"config_sp.yaml", false, false},
    {"config_pk_encrypted.yaml", false, true},
};

TEST(ConvertWindows, EveryVariantOfEveryConfigBuildsNxpsOutput) {
    const auto vectors = vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS is not set: NXP compatibility suite skipped";
    TempDir t;
    const fs::path dir = copy_case(*vectors, t.path());
    const Bytes want = read_bytes(dir / "output.bin");
    ASSERT_FALSE(want.empty());
    for (const Config& c : kConfigs) {
        const std::string original = read_text(dir / c.file);
        for (const Variant& v : kVariants) {
            SCOPED_TRACE(fmt::format("{} written with {}", c.file, v.name));
            const std::string text = v.make(original);
            if (std::string_view(v.name) != "forward slashes") {
                ASSERT_NE(text, original);  // the variant changed something
            }
            const fs::path config = dir / (std::string("win_") + c.file);
            write_text(config, text);
            const fs::path project = t / "out/project.yaml";
            const std::string input =
                c.needs_input ? " --input " + (dir / "led_blinky_xip_srec_iar.srec").string() : "";
            const auto conv =
                rtprov(fmt::format("convert {}{} -o {}", config.string(), input, project.string()));
            ASSERT_EQ(conv.exit_code, 0) << conv.err;
            const bool windowsy = text.find('\\') != std::string::npos;
            EXPECT_EQ(read_text(project).find("were read with '/' as folder separator") !=
                          std::string::npos,
                      windowsy)
                << read_text(project);
            const fs::path out = t / "out/signed.bin";
            const auto b = run_command(fmt::format("{}{} build -c {} -o {}",
                                                   c.needs_password ? "RTPROV_KEY_PASSWORD=test "
                                                                    : "",
                                                   kRtprov, project.string(), out.string()));
            ASSERT_EQ(b.exit_code, 0) << b.err;
            EXPECT_EQ(read_bytes(out), want);
        }
    }
}

// A converted project is the same file in every checkout: no absolute path of the workspace.
TEST(ConvertWindows, TheProjectNamesItsSourceRelativeToItself) {
    const auto vectors = vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS is not set: NXP compatibility suite skipped";
    std::string first;
    for (int i = 0; i < 2; ++i) {
        TempDir t;
        const fs::path dir = copy_case(*vectors, t.path());
        const auto r = rtprov(fmt::format("convert {} -o {}", (dir / "config_pk.yaml").string(),
                                          (t / "proj/project.yaml").string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const std::string text = read_text(t / "proj/project.yaml");
        EXPECT_EQ(text.find(t.path().string()), std::string::npos) << text;
        EXPECT_NE(text.find("    ../case/config_pk.yaml\n"), std::string::npos) << text;
        if (i == 0)
            first = text;
        else
            EXPECT_EQ(text, first);
    }
}

TEST(ConvertWindows, AWindowsAbsolutePathIsRefusedByName) {
    TempDir t;
    write_text(t / "c.yaml",
               "options: {flags: 0, family: mimxrt1050, bootDevice: flexspi_nor}\n"
               "inputImageFile: C:\\nxp\\app.srec\n");
    const auto r = rtprov(fmt::format("convert {} -o {}", (t / "c.yaml").string(),
                                      (t / "p.yaml").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: {}:2:17: 'inputImageFile': 'C:\\nxp\\app.srec' "
                                 "is a Windows absolute path, which names no file here; write it "
                                 "relative to the configuration's folder (as NXP's tools also "
                                 "read it), e.g. keys\\file.pem\n",
                                 (t / "c.yaml").string()));
}

TEST(ConvertWindows, AFileOfNeitherFormatAsksForFrom) {
    TempDir t;
    write_text(t / "c.txt", "[options]\nflags = 8\n");
    const auto r = rtprov(fmt::format("convert {} -o {}", (t / "c.txt").string(),
                                      (t / "p.yaml").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: {}: neither a BD file (options {{ ... }}) nor "
                                 "an SPSDK YAML (options: ...); give --from bd or --from spsdk\n",
                                 (t / "c.txt").string()));
}

}  // namespace
}  // namespace rtprov::test
