#include "completion_script.hpp"

#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/device/device.hpp"

namespace rtprov::cli {

namespace {

struct OptionInfo {
    std::vector<std::string> names;  // "-o", "--output"
    std::string help;
    bool takes_value = false;
    std::vector<std::string> choices;  // from an IsMember check: "TEXT:{bd,spsdk}"
};

// One command of the tree: the program itself (path ""), "pkg", "pkg diff", ...
struct Node {
    std::string path;
    std::vector<std::pair<std::string, std::string>> subcommands;  // name, one-line help
    std::vector<OptionInfo> options;
    bool positionals = false;  // takes positional arguments (completed as files)
    std::vector<std::string> positional_choices;
};

// "TEXT:{serve,inspect}" -> serve, inspect.
std::vector<std::string> choices_of(const std::string& type_name) {
    std::vector<std::string> out;
    const auto open = type_name.find('{');
    const auto close = type_name.find('}', open);
    if (open == std::string::npos || close == std::string::npos)
        return out;
    std::string item;
    for (char c : type_name.substr(open + 1, close - open - 1)) {
        if (c == ',') {
            out.push_back(item);
            item.clear();
        } else if (c != ' ') {
            item += c;
        }
    }
    out.push_back(item);
    return out;
}

// Names from rtprov's own database that an option (or a positional, by its name) takes, for the
// options that have no IsMember check because they also take a file or an alias: parts, boot
// devices, FCB presets. Empty for every other option.
std::vector<std::string> database_names(const std::string& path, const std::string& name) {
    std::vector<std::string> out;
    if (name == "device" || (path == "devices" && name == "name")) {
        for (const auto& d : device::all_devices())
            out.emplace_back(d.name);
    } else if (name == "boot-device") {
        for (const auto b : device::all_boot_devices())
            out.emplace_back(device::boot_device_name(b));
    } else if (name == "fcb" || (path == "fcb" && name == "preset")) {
        for (const auto& p : boot::fcb_presets())
            out.emplace_back(p.name);
    }
    return out;
}

// The first line of a description, short enough for a completion menu.
std::string short_help(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    if (line.size() > 72)
        line = line.substr(0, 69) + "...";
    return line;
}

OptionInfo option_info(const CLI::Option& opt, const std::string& path) {
    OptionInfo o;
    for (const auto& s : opt.get_snames())
        o.names.push_back("-" + s);
    for (const auto& l : opt.get_lnames())
        o.names.push_back("--" + l);
    o.help = short_help(opt.get_description());
    o.takes_value = opt.get_items_expected_max() > 0;  // flags expect 0 items
    if (o.takes_value) {
        o.choices = choices_of(opt.get_type_name());
        if (o.choices.empty() && !opt.get_lnames().empty())
            o.choices = database_names(path, opt.get_lnames().front());
    }
    return o;
}

// Depth first: every visible subcommand, with the program's global options (--json, -v, -q)
// added to each since they are accepted after the subcommand too.
void walk(const CLI::App& app, const std::string& path, const std::vector<OptionInfo>& globals,
          std::vector<Node>& out) {
    Node node;
    node.path = path;
    bool only_choices = false;
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty())
            continue;  // hidden
        if (!opt->nonpositional()) {
            node.positionals = true;
            // IsMember choices are the whole answer; database names may also be a file.
            auto choices = choices_of(opt->get_type_name());
            if (choices.empty())
                choices = database_names(path, opt->get_name());
            else
                only_choices = true;
            for (auto& c : choices)
                node.positional_choices.push_back(std::move(c));
            continue;
        }
        node.options.push_back(option_info(*opt, path));
    }
    if (!path.empty())
        node.options.insert(node.options.end(), globals.begin(), globals.end());
    if (only_choices)
        node.positionals = false;
    const auto subs =
        app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
    for (const CLI::App* sub : subs)
        node.subcommands.emplace_back(sub->get_name(), short_help(sub->get_description()));
    out.push_back(std::move(node));
    for (const CLI::App* sub : subs)
        walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), globals, out);
}

std::vector<Node> command_tree(const CLI::App& root) {
    std::vector<OptionInfo> globals;
    for (const CLI::Option* opt : root.get_options()) {
        const auto l = opt->get_lnames();
        if (!opt->get_group().empty() && opt->nonpositional() &&
            !(l.size() == 1 && (l[0] == "help" || l[0] == "version"))) {
            globals.push_back(option_info(*opt, ""));
        }
    }
    std::vector<Node> nodes;
    walk(root, "", globals, nodes);
    return nodes;
}

// A single-quoted shell word (bash and zsh).
std::string shell_quoted(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string joined(const std::vector<std::string>& words) {
    return fmt::format("{}", fmt::join(words, " "));
}

// A shell function `NAME PATH` printing what `value` gives for each node (nodes where it gives
// nothing are left out).
template <typename F>
std::string case_function(const std::vector<Node>& nodes, std::string_view name, F value) {
    std::string out = fmt::format("{}() {{\n    case \"$1\" in\n", name);
    for (const auto& n : nodes) {
        const std::string v = value(n);
        if (!v.empty())
            out += fmt::format("        {}) {} ;;\n", shell_quoted(n.path), v);
    }
    return out + "    esac\n}\n";
}

std::string option_names(const Node& n, bool values_only) {
    std::vector<std::string> names;
    for (const auto& o : n.options) {
        if (!values_only || o.takes_value)
            names.insert(names.end(), o.names.begin(), o.names.end());
    }
    return names.empty() ? std::string() : "echo " + shell_quoted(joined(names));
}

std::string subcommand_names(const Node& n) {
    std::vector<std::string> names;
    for (const auto& [name, help] : n.subcommands)
        names.push_back(name);
    return names.empty() ? std::string() : "echo " + shell_quoted(joined(names));
}

// Shared by both shells: subcommand and option names per path, option and positional choices,
// and which paths take files as positionals.
std::string common_functions(const std::vector<Node>& nodes) {
    std::string out;
    out += case_function(nodes, "_rtprov_subcommand_names", subcommand_names);
    out += case_function(nodes, "_rtprov_option_names",
                         [](const Node& n) { return option_names(n, false); });
    out += case_function(nodes, "_rtprov_value_options",
                         [](const Node& n) { return option_names(n, true); });
    out += "# PATH OPTION: the values OPTION takes; PATH '': the values of the positional.\n";
    out += "_rtprov_choices() {\n    case \"$1|$2\" in\n";
    for (const auto& n : nodes) {
        for (const auto& o : n.options) {
            for (const auto& name : o.names) {
                if (!o.choices.empty())
                    out +=
                        fmt::format("        {}) echo {} ;;\n", shell_quoted(n.path + "|" + name),
                                    shell_quoted(joined(o.choices)));
            }
        }
        if (!n.positional_choices.empty())
            out += fmt::format("        {}) echo {} ;;\n", shell_quoted(n.path + "|"),
                               shell_quoted(joined(n.positional_choices)));
    }
    out += "    esac\n}\n";
    out += "_rtprov_takes_files() {\n    case \"$1\" in\n";
    for (const auto& n : nodes) {
        if (n.positionals)
            out += fmt::format("        {}) return 0 ;;\n", shell_quoted(n.path));
    }
    return out + "    esac\n    return 1\n}\n";
}

}  // namespace

std::string bash_completion(const CLI::App& root) {
    const auto nodes = command_tree(root);
    std::string out =
        "# bash completion for rtprov, generated from its command definitions by\n"
        "# `rtprov completion bash`. Load it with `source <(rtprov completion bash)`, or save it\n"
        "# as ~/.local/share/bash-completion/completions/rtprov.\n\n";
    out += common_functions(nodes);
    out += R"SH(
_rtprov() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd='' i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        if [[ " $(_rtprov_value_options "$cmd") " == *" $w "* ]]; then
            i=$((i + 1))
        elif [[ " $(_rtprov_subcommand_names "$cmd") " == *" $w "* ]]; then
            cmd="${cmd:+$cmd }$w"
        fi
    done
    COMPREPLY=()
    if ((COMP_CWORD > 1)) && [[ " $(_rtprov_value_options "$cmd") " == *" $prev "* ]]; then
        local choices
        choices="$(_rtprov_choices "$cmd" "$prev")"
        [[ -n "$choices" ]] && mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
        if ((${#COMPREPLY[@]} == 0)); then  # no choice matches: a file (--fcb takes either)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        return 0
    fi
    if [[ "$cur" == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_rtprov_option_names "$cmd")" -- "$cur")
        return 0
    fi
    mapfile -t COMPREPLY < <(compgen -W \
        "$(_rtprov_subcommand_names "$cmd") $(_rtprov_choices "$cmd" '')" -- "$cur")
    if ((${#COMPREPLY[@]} == 0)) && _rtprov_takes_files "$cmd"; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    return 0
}
complete -F _rtprov rtprov
)SH";
    return out;
}

std::string zsh_completion(const CLI::App& root) {
    const auto nodes = command_tree(root);
    std::string out =
        "#compdef rtprov\n"
        "# zsh completion for rtprov, generated from its command definitions by\n"
        "# `rtprov completion zsh`. Save it as _rtprov in a folder of $fpath (before compinit),\n"
        "# or load it with `source <(rtprov completion zsh)` after compinit.\n\n";
    out += common_functions(nodes);
    out += case_function(nodes, "_rtprov_subcommand_help", [](const Node& n) {
        std::vector<std::string> items;
        for (const auto& [name, help] : n.subcommands)
            items.push_back(shell_quoted(name + ":" + help));
        return items.empty() ? std::string() : "print -rl -- " + joined(items);
    });
    out += case_function(nodes, "_rtprov_option_help", [](const Node& n) {
        std::vector<std::string> items;
        for (const auto& o : n.options) {
            for (const auto& name : o.names)
                items.push_back(shell_quoted(name + ":" + o.help));
        }
        return items.empty() ? std::string() : "print -rl -- " + joined(items);
    });
    out += R"SH(
_rtprov() {
    local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}" cmd='' i w out ret=1
    local -a items
    for ((i = 2; i < CURRENT; i++)); do
        w="${words[i]}"
        if [[ " $(_rtprov_value_options "$cmd") " == *" $w "* ]]; then
            i=$((i + 1))
        elif [[ " $(_rtprov_subcommand_names "$cmd") " == *" $w "* ]]; then
            cmd="${cmd:+$cmd }$w"
        fi
    done
    if ((CURRENT > 2)) && [[ " $(_rtprov_value_options "$cmd") " == *" $prev "* ]]; then
        out="$(_rtprov_choices "$cmd" "$prev")"
        items=(${=out})
        ((${#items})) && compadd -a items && return
        _files  # no choice matches: a file (--fcb takes either)
        return
    fi
    if [[ "$cur" == -* ]]; then
        out="$(_rtprov_option_help "$cmd")"
        [[ -n "$out" ]] && items=("${(@f)out}") && _describe -t options option items && ret=0
        return ret
    fi
    out="$(_rtprov_subcommand_help "$cmd")"
    [[ -n "$out" ]] && items=("${(@f)out}") && _describe -t commands command items && ret=0
    out="$(_rtprov_choices "$cmd" '')"
    [[ -n "$out" ]] && items=(${=out}) && compadd -a items && ret=0
    _rtprov_takes_files "$cmd" && _files && ret=0
    return ret
}

if [[ "${funcstack[1]}" == _rtprov ]]; then
    _rtprov "$@"
else
    compdef _rtprov rtprov
fi
)SH";
    return out;
}

}  // namespace rtprov::cli
