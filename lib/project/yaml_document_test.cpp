#include "rtprov/project/yaml_document.hpp"

#include <gtest/gtest.h>

namespace rtprov::project {
namespace {

std::string error_of(std::string_view text) {
    try {
        // A reader that does not guard its conversion: yaml-cpp throws for a list.
        (void)read_yaml_mapping(text, "/p/x.yaml",
                                [](const YAML::Node& root) { return root["a"].as<int>(); });
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput);
        return e.what();
    }
    return "no error";
}

TEST(YamlDocument, EveryYamlExceptionIsBadInputAtItsPlace) {
    EXPECT_EQ(read_yaml_mapping("a: 7\n", "/p/x.yaml",
                                [](const YAML::Node& root) { return root["a"].as<int>(); }),
              7);
    EXPECT_EQ(error_of("a: [1]\n"), "/p/x.yaml:1:4: bad conversion");
    EXPECT_EQ(error_of("a: [1\n"), "/p/x.yaml:2:1: end of sequence flow not found");
    EXPECT_EQ(error_of("- a\n"), "/p/x.yaml: not a YAML mapping");
}

}  // namespace
}  // namespace rtprov::project
