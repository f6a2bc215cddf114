"""The public log: RFC 9162 Merkle tree, C2SP signed notes, checkpoints and tiles. Imports no Django."""
