import Faults
