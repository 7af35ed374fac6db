#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rtprov::test {

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rtprov-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::optional<std::filesystem::path> vectors_dir() {
    const char* v = std::getenv("RTPROV_VECTORS");
    if (v == nullptr || *v == '\0')
        return std::nullopt;
    return std::filesystem::absolute(v);
}

void write_bytes(const std::filesystem::path& path, ByteView data) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

static std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

RunResult run_command(const std::string& command_line) {
    TempDir dir;
    const auto out = dir / "out";
    const auto err = dir / "err";
    const std::string full =
        command_line + " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
    int status = std::system(full.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

}  // namespace rtprov::test
