#include "output.hpp"

#include <cstdio>

namespace rtprov::cli {

void Output::warning(std::string_view message) {
    if (!quiet())
        fmt::print(stderr, "rtprov: warning: {}\n", message);
}

void Output::result(const nlohmann::json& doc) {
    if (json_)
        fmt::print("{}\n", doc.dump(2));
}

}  // namespace rtprov::cli
