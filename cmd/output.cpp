#include "output.hpp"

#include <cstdio>

namespace rtprov::cli {

void Output::warning(std::string_view message) {
    if (!quiet())
        fmt::print(stderr, "rtprov: warning: {}\n", message);
}

void Output::finish() {
    if (json_ && result_)
        fmt::print("{}\n", result_->dump(2));
}

void Output::fail(const nlohmann::json& error) {
    if (!json_)
        return;
    nlohmann::json doc = result_ && result_->is_object() ? *result_ : nlohmann::json::object();
    doc["error"] = error;
    fmt::print("{}\n", doc.dump(2));
}

}  // namespace rtprov::cli
