#include "experiments/experiment.hpp"

namespace nrc {

// One factory per figure, each in its own file (experiments/fig*.cpp).
// (add one declaration and one line below per experiment)

const std::vector<Experiment>& experiments() {
  static const std::vector<Experiment> all = {
  };
  return all;
}

}  // namespace nrc
