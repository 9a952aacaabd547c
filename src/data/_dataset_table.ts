/** The registry's table: the built-in datasets by name, and those added with `registerDataset`. */
import { CIFAR10_CLASSES, cifarDataset } from "./cifar.ts";
import { idxDataset } from "./idx.ts";
import type { DatasetSpec } from "./registry.ts";

const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];
const IDX_FILES = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
];

function idxSpec(
  name: string,
  description: string,
  base: string,
  md5: string[],
  classes: string[],
  extra: Partial<DatasetSpec> = {},
): DatasetSpec {
  return {
    name,
    description,
    required: IDX_FILES,
    downloads: IDX_FILES.map((f, i) => ({ name: f, url: base + f, md5: md5[i] })),
    open: (dir, split, options) => {
      const p = split === "train" ? "train" : "t10k";
      return idxDataset({
        images: `${dir}/${p}-images-idx3-ubyte.gz`,
        labels: `${dir}/${p}-labels-idx1-ubyte.gz`,
        classes,
        name: `${name}/${split}`,
        maxFileBytes: options?.maxFileBytes,
      });
    },
    ...extra,
  };
}

const CIFAR10_DIR = "cifar-10-batches-bin";
const CIFAR100_DIR = "cifar-100-binary";

/**
 * The built-in datasets by name; add more with `registerDataset`.
 */
export const DATASETS: Map<string, DatasetSpec> = new Map<string, DatasetSpec>([
  [
    "fashion-mnist",
    idxSpec(
      "fashion-mnist",
      "Fashion-MNIST: 70k 28x28 gray clothing images, 10 classes (IDX)",
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
      [
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "25c81989df183df01b3e8a0aad5dffbe",
        "bef4ecab320f06d8554ea6380940ec79",
        "bb300cfdad3c16e7a12a480ee83cd310",
      ],
      FASHION_CLASSES,
      {
        systemDirs: ["/usr/share/datasets/fashion-mnist"],
        install: "sudo apt-get install dataset-fashion-mnist",
      },
    ),
  ],
  [
    "mnist",
    idxSpec(
      "mnist",
      "MNIST: 70k 28x28 gray digits, 10 classes (IDX)",
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      [
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "d53e105ee54ea40749a09fcbcd1e9432",
        "9fb629c4189551a2d022fa330f9573f3",
        "ec29112dd5afa0611ce80d1b7f02629c",
      ],
      Array.from({ length: 10 }, (_, i) => String(i)),
      { systemDirs: ["/usr/share/datasets/mnist"] },
    ),
  ],
  ["cifar10", {
    name: "cifar10",
    description: "CIFAR-10: 60k 32x32 colour images, 10 classes (binary batches)",
    required: ["data_batch_1.bin", "data_batch_5.bin", "test_batch.bin"],
    subfolders: [CIFAR10_DIR],
    systemDirs: ["/usr/share/datasets/cifar10"],
    downloads: [{
      name: "cifar-10-binary.tar.gz",
      url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
      md5: "c32a1d4ab5d03f1284b67883e8d87530",
      unpack: true,
    }],
    open: (dir, split) =>
      cifarDataset({
        files: split === "train"
          ? [1, 2, 3, 4, 5].map((i) => `${dir}/data_batch_${i}.bin`)
          : [`${dir}/test_batch.bin`],
        variant: 10,
        classes: CIFAR10_CLASSES,
      }),
  }],
  ["cifar100", {
    name: "cifar100",
    description: "CIFAR-100: 60k 32x32 colour images, 100 classes (binary batches)",
    required: ["train.bin", "test.bin"],
    subfolders: [CIFAR100_DIR],
    systemDirs: ["/usr/share/datasets/cifar100"],
    downloads: [{
      name: "cifar-100-binary.tar.gz",
      url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
      md5: "03b5dce01913d631647c71ecec9e9cb8",
      unpack: true,
    }],
    open: async (dir, split) => {
      let classes: string[] | undefined;
      try {
        classes = (await Deno.readTextFile(`${dir}/fine_label_names.txt`)).split("\n").map((s) =>
          s.trim()
        )
          .filter(Boolean);
      } catch {
        classes = undefined;
      }
      return cifarDataset({ files: [`${dir}/${split}.bin`], variant: 100, classes });
    },
  }],
]);
