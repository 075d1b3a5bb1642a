#pragma once
// The explicit registry of checks (no static self-registration: the linker drops unreferenced
// objects from static libraries). Adding a check: one file in theorems/ defining a factory, and
// one line in registry.cpp.
#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include <armadillo>
#include <nlohmann/json.hpp>

#include "theorems/draw.hpp"
#include "theorems/judge.hpp"

namespace nrc {

// Name of the reference arithmetic (lib/mp) as records state it.
inline constexpr const char* kReferencePrecision = "cpp_bin_float_50";

// A user's own data for a check that accepts it (`nrc check ID --inputs X --targets Y …`).
struct UserData {
  arma::mat X, Y;                        // samples as columns
  std::optional<arma::uvec> partition;   // a given partition; otherwise the check chooses one
  double lambda = 0;
  arma::uword K = 0;
  nlohmann::json source;                 // where it came from (file names, λ, K), kept in the record
};

// A deliberately wrong version of a check: wrong inputs (a perturbed sample, one noisy point added to
// collapsed data, a non-stationary Θ where stationarity is a hypothesis) or a wrong formula (a
// dropped factor, a wrong K). The check must Fail on every one of its mutants: a verdict that no
// mutant can turn into a Fail is not evidence about the paper (an identity, a rank imposed by how a
// matrix is formed, a budget built from the measured error).
struct Mutant {
  std::string name = {};      // snake_case, unique within the check: "dropped_factor"
  std::string what = {};      // what is wrong, one line
  nlohmann::json params = {}; // the instance, complete
  // The wrong measurement; empty: the check's own evaluate on `params` (the inputs are what is wrong).
  std::function<Evidence(const nlohmann::json&)> evaluate = {};
  // The same wrong measurement at reference precision: needed only when `evaluate` omits err (the
  // runner estimates err from it; double still decides a mutant).
  std::function<Evidence(const nlohmann::json&)> evaluate_reference = {};
};

// Built with designated initialisers (Check c{.id = …, .paper_ref = …, .statement = …}), so that the
// strings cannot be swapped silently; every member has a default.
struct Check {
  std::string id = {};          // e.g. "thm_5_4"
  std::string paper_ref = {};   // e.g. "Theorem 5.4"
  std::string statement = {};   // the inequality as the code states it, lhs first
  std::string lhs = {}, rhs = {};   // what each side is
  // Numeric entries of Evidence::metrics that summaries report (min/median/max over instances).
  std::vector<std::string> summary_metrics = {};
  // The instance generator: complete parameters (including a data seed) as a JSON object.
  std::function<nlohmann::json(Draw&)> draw = {};
  // Measures one instance. Throws invalid_argument on malformed parameters (bad user input).
  std::function<Evidence(const nlohmann::json&)> evaluate = {};
  // Optional: the same measurement at reference precision (lib/mp, 50 digits). The runner calls it
  // when the double-precision verdict lies within the rounding error of the bound; its metrics
  // update those of the double measurement (the record keeps both). Required when `evaluate` omits
  // Evidence::err: the runner then calls it on every instance to estimate err (runner.hpp).
  std::function<Evidence(const nlohmann::json&)> evaluate_reference = {};
  // Optional: the same measurement on a user's data (Section 5 checks), and at reference precision.
  std::function<Evidence(const UserData&)> evaluate_data = {};
  std::function<Evidence(const UserData&)> evaluate_data_reference = {};
  // For a refined or corrected form of a paper statement: the id of the check of the statement as
  // written (the report shows the two side by side).
  std::string refines = {};
  // For a bound proved through a chain lhs ≤ b_1 ≤ b_2 ≤ …: the names of the chain's terms, lhs
  // first. Each record then carries metrics["chain"] = [{"layer": l, "values": [lhs, b_1, …]}, …]
  // and the report shows every link's tightness per layer.
  std::vector<std::string> chain_links = {};
  // Parameters `evaluate` accepts that `draw` never produces (negative controls, explicit data).
  // With the drawn ones they are the names `nrc replay --params` accepts; any other is a typo.
  std::vector<std::string> optional_params = {};
  // Deliberately wrong versions the check must Fail on (see Mutant); ctest and the report run them.
  std::vector<Mutant> mutants = {};
  // The file that builds the check (and derives it in its header): filled where the Check is
  // aggregate-initialised (Check c{…}), so the report can point to the derivation. Not set by hand.
  std::string source = std::source_location::current().file_name();
};

const std::vector<Check>& registry();
// Throws invalid_argument naming the known ids when `id` is unknown.
const Check& find_check(const std::string& id);

}  // namespace nrc
