package dev.prescient.predict.forecast;

/**
 * Scale on which a model runs. Byte counts are multiplicative (a busy hour doubles them), so
 * log1p turns their seasonal swings additive and their errors closer to symmetric.
 */
public enum Transform {
    IDENTITY {
        @Override
        public double forward(double y) {
            return y;
        }

        @Override
        public double inverse(double z) {
            return z;
        }
    },
    LOG1P {
        @Override
        public double forward(double y) {
            return Double.isNaN(y) ? y : Math.log1p(Math.max(0, y));
        }

        @Override
        public double inverse(double z) {
            return Double.isNaN(z) ? z : Math.expm1(Math.min(z, 700));
        }
    };

    public abstract double forward(double y);

    public abstract double inverse(double z);
}
